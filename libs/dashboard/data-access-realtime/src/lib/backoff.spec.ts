import { DEFAULT_BACKOFF, backoffDelay } from './backoff';

const noJitter = () => 0.5;

describe('backoffDelay', () => {
  it('doubles from 1 s for five attempts, then gives up', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, DEFAULT_BACKOFF, noJitter));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, null]);
  });

  it('caps at 30 s', () => {
    const policy = { ...DEFAULT_BACKOFF, maxAttempts: 10 };
    expect(backoffDelay(6, policy, noJitter)).toBe(30_000);
    expect(backoffDelay(10, policy, noJitter)).toBe(30_000);
    expect(backoffDelay(10, policy, () => 0.99)).toBe(30_000);
  });

  it('spreads each delay by ± the jitter fraction', () => {
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(3200);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999_999)).toBe(4800);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(2, DEFAULT_BACKOFF)!;
      expect(d).toBeGreaterThanOrEqual(1600);
      expect(d).toBeLessThanOrEqual(2400);
    }
  });

  it('refuses attempts outside 1…maxAttempts', () => {
    expect(backoffDelay(0)).toBeNull();
    expect(backoffDelay(-1)).toBeNull();
    expect(backoffDelay(1.5)).toBeNull();
  });

  it('follows a configured base (used by the e2e tests)', () => {
    const fast = { ...DEFAULT_BACKOFF, baseMs: 100 };
    expect([1, 2, 3].map((n) => backoffDelay(n, fast, noJitter))).toEqual([100, 200, 400]);
  });
});
