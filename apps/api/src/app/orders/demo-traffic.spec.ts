import { CreateOrderRequestSchema } from '@realtime/contracts/schemas';

import { demoOrder, demoRatePerSecond, nextDelayMs } from './demo-traffic';

/** A small deterministic generator (mulberry32) so the test is repeatable. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('demo traffic', () => {
  it('makes orders that the public endpoint would accept', () => {
    const random = seeded(42);
    const orders = Array.from({ length: 2000 }, () => demoOrder(random));
    for (const order of orders) expect(CreateOrderRequestSchema.safeParse(order).success).toBe(true);
    const currencies = new Set(orders.map((o) => o.currency));
    expect(currencies.has('USD') && currencies.has('EUR')).toBe(true);
  });

  it('is bursty: four times the rate in a burst, and waits follow the rate', () => {
    expect(demoRatePerSecond(0, true)).toBeCloseTo(4 * demoRatePerSecond(0, false));
    const random = seeded(7);
    const mean = (rate: number) =>
      Array.from({ length: 5000 }, () => nextDelayMs(rate, random)).reduce((a, b) => a + b) / 5000;
    expect(mean(1)).toBeGreaterThan(800);
    expect(mean(1)).toBeLessThan(1200);
    expect(mean(5)).toBeLessThan(mean(1) / 3);
  });
});
