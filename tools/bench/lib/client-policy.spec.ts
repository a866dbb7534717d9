import { join } from 'node:path';

import { backoffDelay, dashboardBackoff } from './client-policy.mjs';

const ROOT = join(__dirname, '../../..');

describe("the storm's dashboard client policy", () => {
  it("reads the dashboard's DEFAULT_BACKOFF from its source", () => {
    expect(dashboardBackoff(ROOT)).toEqual({ baseMs: 1000, maxMs: 30_000, maxAttempts: 5, jitter: 0.2 });
  });

  it("waits as the dashboard's backoffDelay does: doubling, capped, five tries, then gives up", () => {
    const policy = dashboardBackoff(ROOT);
    const noJitter = () => 0.5;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, noJitter))).toEqual([
      1000,
      2000,
      4000,
      8000,
      16_000,
      null,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(3200);
    expect(backoffDelay(3, policy, () => 0.999_999)).toBe(4800);
    expect(backoffDelay(7, { ...policy, maxAttempts: 10 }, noJitter)).toBe(30_000);
    expect(backoffDelay(0, policy)).toBeNull();
  });
});
