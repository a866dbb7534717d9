export interface LatencyStats {
  last: number;
  p50: number;
  p95: number;
  max: number;
  count: number;
}

export const LATENCY_SAMPLES = 40;

/** Summary of delivery delays (ms); `null` until there is one. */
export function latencyStats(samples: readonly number[]): LatencyStats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    last: samples[samples.length - 1],
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1],
    count: samples.length,
  };
}

/**
 * Delay from the server's timestamp to arrival, in the server's time frame: the local arrival
 * time plus the measured offset (server − local). Never negative: within the clock estimate's
 * uncertainty a delay can come out slightly below zero.
 */
export function deliveryDelay(serverTimestamp: number, receivedAt: number, offsetMs: number): number {
  return Math.max(0, receivedAt + offsetMs - serverTimestamp);
}
