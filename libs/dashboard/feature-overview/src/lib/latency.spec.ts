import { deliveryDelay, latencyStats } from './latency';

describe('latency', () => {
  it('corrects the delay by the server clock offset', () => {
    // Server clock 2 s ahead: stamped at 12_000 server time, arrived at 10_050 local = 12_050 server.
    expect(deliveryDelay(12_000, 10_050, 2000)).toBe(50);
    expect(deliveryDelay(12_000, 9_990, 2000)).toBe(0);
  });

  it('summarises samples', () => {
    expect(latencyStats([])).toBeNull();
    const samples = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(latencyStats(samples)).toEqual({ last: 20, p50: 10, p95: 19, max: 20, count: 20 });
  });
});
