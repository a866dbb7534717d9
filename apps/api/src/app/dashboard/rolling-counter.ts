/**
 * Counts events in a sliding window with one slot per bucket (a second by default), so its
 * memory and cost stay fixed whatever the order rate. The window is exact to a bucket: at
 * time `now` it covers the buckets of the last `windowMs`, the current one included.
 */
export class RollingCounter {
  private readonly counts: number[];
  private readonly buckets: number[];

  constructor(
    private readonly windowMs = 60_000,
    private readonly bucketMs = 1000,
  ) {
    const size = Math.ceil(windowMs / bucketMs);
    this.counts = new Array<number>(size).fill(0);
    this.buckets = new Array<number>(size).fill(-Infinity);
  }

  add(at: number, n = 1): void {
    const bucket = Math.floor(at / this.bucketMs);
    const slot = ((bucket % this.counts.length) + this.counts.length) % this.counts.length;
    if (this.buckets[slot] === bucket) {
      this.counts[slot] += n;
    } else if (this.buckets[slot] < bucket) {
      this.buckets[slot] = bucket;
      this.counts[slot] = n;
    }
    // else: older than what the slot holds now, so outside the window already.
  }

  total(now: number): number {
    const current = Math.floor(now / this.bucketMs);
    const oldest = current - this.counts.length;
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) {
      if (this.buckets[i] > oldest && this.buckets[i] <= current) sum += this.counts[i];
    }
    return sum;
  }

  get window(): number {
    return this.windowMs;
  }
}
