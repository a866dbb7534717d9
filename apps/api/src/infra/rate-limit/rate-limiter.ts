/**
 * Token buckets keyed by user id: each key may spend `burst` at once and gets `perSecond`
 * tokens back per second. In-process, so with several instances each one limits on its own.
 */
export class RateLimiter {
  private readonly buckets = new Map<number | string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one token of `key`: 0 when allowed, otherwise the milliseconds until one is back. */
  take(key: number | string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.perSecond) / 1000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (this.buckets.size > 10_000) this.prune(now);
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 1000) / this.perSecond));
  }

  /** How many keys are held: a full bucket is forgotten, since a missing one behaves the same. */
  get size(): number {
    this.prune(this.now());
    return this.buckets.size;
  }

  private prune(now: number) {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.perSecond) / 1000 >= this.burst) this.buckets.delete(key);
    }
  }
}
