import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('allows a burst, then refills at the configured rate', () => {
    const limiter = new RateLimiter(10, 20);
    for (let i = 0; i < 20; i++) expect(limiter.take(1)).toBe(0);
    expect(limiter.take(1)).toBe(100);
    jest.advanceTimersByTime(50);
    expect(limiter.take(1)).toBe(50);
    jest.advanceTimersByTime(50);
    expect(limiter.take(1)).toBe(0);
    expect(limiter.take(1)).toBe(100);
    jest.advanceTimersByTime(1000);
    for (let i = 0; i < 10; i++) expect(limiter.take(1)).toBe(0);
    expect(limiter.take(1)).toBeGreaterThan(0);
  });

  it('keeps one bucket per key and never holds more than the burst', () => {
    const limiter = new RateLimiter(1, 2);
    expect(limiter.take(1)).toBe(0);
    expect(limiter.take(1)).toBe(0);
    expect(limiter.take(1)).toBe(1000);
    expect(limiter.take(2)).toBe(0);
    jest.advanceTimersByTime(60_000);
    expect(limiter.take(1)).toBe(0);
    expect(limiter.take(1)).toBe(0);
    expect(limiter.take(1)).toBeGreaterThan(0);
  });

  it('forgets buckets that have refilled', () => {
    const limiter = new RateLimiter(10, 20);
    limiter.take(1);
    limiter.take(2);
    expect(limiter.size).toBe(2);
    jest.advanceTimersByTime(100);
    expect(limiter.size).toBe(0);
  });
});
