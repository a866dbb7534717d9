/** One reading of the server's clock, taken during an HTTP round trip. */
export interface ClockSample {
  /** What the server's clock said, epoch ms (read at some moment while it served the request). */
  serverTime: number;
  /** Local time the request left and the answer arrived. */
  sentAt: number;
  receivedAt: number;
  /** How much later than `serverTime` the true server time may be (a `Date` header: 1000). */
  resolutionMs: number;
}

export interface ClockOffset {
  /** Server clock minus local clock, ms. */
  offsetMs: number;
  /** The true offset lies within ± this (half the tightest sample's window). */
  uncertaintyMs: number;
  /** The round trip of the sample used. */
  roundTripMs: number;
  samples: number;
}

/**
 * The offset between the server's clock and this one, NTP-style: the server read its clock at
 * some moment between sending and receiving, so each sample puts the offset in a window as wide
 * as its round trip (plus the server time's resolution). Of several samples the one with the
 * tightest window wins, and half its width is the uncertainty: a slow round trip (a busy network,
 * a queued request) says little, the fastest says most.
 */
export function estimateClockOffset(samples: readonly ClockSample[]): ClockOffset | null {
  let best: { offset: number; half: number; rtt: number } | null = null;
  let count = 0;
  for (const s of samples) {
    if (![s.serverTime, s.sentAt, s.receivedAt, s.resolutionMs].every(Number.isFinite)) continue;
    const rtt = s.receivedAt - s.sentAt;
    if (rtt < 0) continue;
    count++;
    const lo = s.serverTime - s.receivedAt;
    const hi = s.serverTime + s.resolutionMs - s.sentAt;
    const half = (hi - lo) / 2;
    if (!best || half < best.half) best = { offset: (lo + hi) / 2, half, rtt };
  }
  return best && { offsetMs: best.offset, uncertaintyMs: best.half, roundTripMs: best.rtt, samples: count };
}

/** Round steps a figure can be given in: never finer than what it is known to. */
const STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

/** The smallest round step not finer than `uncertaintyMs` (1 ms at best). */
export function precisionStep(uncertaintyMs: number): number {
  return STEPS.find((s) => s >= uncertaintyMs) ?? Math.ceil(uncertaintyMs / 10_000) * 10_000;
}

/**
 * A duration known to ± `uncertaintyMs`, rounded to a step no finer than that: `150 ms` (± 40 ms),
 * `1.2 s`, or `< 50 ms` when it cannot be told apart from zero.
 */
export function formatMeasured(ms: number, uncertaintyMs: number): string {
  const step = precisionStep(Math.max(1, uncertaintyMs));
  if (Math.abs(ms) < step) return `< ${formatStep(step)}`;
  const rounded = Math.round(ms / step) * step;
  return formatStep(rounded);
}

function formatStep(ms: number): string {
  if (Math.abs(ms) < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(ms % 100 === 0 ? 1 : 2)} s`;
}
