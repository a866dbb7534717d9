// Latency histograms (merged across client workers) and the rounding every figure goes through.

/** Latencies in 0.1 ms buckets up to 10 s (above that in the last one), with the exact max. */
export class Histogram {
  static BUCKETS = 100_001;
  constructor() {
    this.counts = new Uint32Array(Histogram.BUCKETS);
    this.count = 0;
    this.max = 0;
    this.sum = 0;
  }
  add(ms) {
    const v = ms < 0 ? 0 : ms;
    this.counts[Math.min(Histogram.BUCKETS - 1, Math.round(v * 10))]++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }
  /** Sparse, for IPC. */
  toJSON() {
    const nz = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]) nz.push(i, this.counts[i]);
    return { nz, count: this.count, max: this.max, sum: this.sum };
  }
  merge(json) {
    for (let i = 0; i < json.nz.length; i += 2) this.counts[json.nz[i]] += json.nz[i + 1];
    this.count += json.count;
    this.sum += json.sum;
    if (json.max > this.max) this.max = json.max;
    return this;
  }
  percentile(p) {
    if (!this.count) return null;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i === Histogram.BUCKETS - 1 ? this.max : i / 10;
    }
    return this.max;
  }
  summary() {
    return {
      samples: this.count,
      p50: this.percentile(50),
      p99: this.percentile(99),
      max: this.count ? round(this.max) : null,
      mean: this.count ? round(this.sum / this.count) : null,
    };
  }
}

export const round = (v, d = 1) => (v == null || !Number.isFinite(v) ? v : Math.round(v * 10 ** d) / 10 ** d);
