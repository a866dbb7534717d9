import type { DashboardMetrics } from '@realtime/contracts';

export const WINDOW_MS = 15 * 60_000;
export const DEFAULT_TICK_MS = 5000;

/**
 * Adds `incoming` to the time-ordered `points`: one point per server timestamp (a replayed or
 * backfilled point replaces its twin, so a reconnect leaves neither gaps nor duplicates), and
 * only the last `windowMs` before the newest point are kept.
 */
export function mergeMetrics(
  points: readonly DashboardMetrics[],
  incoming: readonly DashboardMetrics[],
  windowMs = WINDOW_MS,
): DashboardMetrics[] {
  if (incoming.length === 0) return points as DashboardMetrics[];
  const byTime = new Map<number, DashboardMetrics>();
  for (const p of points) byTime.set(p.timestamp, p);
  for (const p of incoming) if (Number.isFinite(p?.timestamp)) byTime.set(p.timestamp, p);
  const sorted = [...byTime.values()].sort((a, b) => a.timestamp - b.timestamp);
  const newest = sorted[sorted.length - 1]?.timestamp ?? 0;
  return sorted.filter((p) => p.timestamp >= newest - windowMs);
}

/** The server's tick period, from the median gap between recent points (refreshes make extra ones). */
export function estimateTickMs(points: readonly DashboardMetrics[], fallback = DEFAULT_TICK_MS): number {
  const recent = points.slice(-12);
  const gaps: number[] = [];
  for (let i = 1; i < recent.length; i++) gaps.push(recent[i].timestamp - recent[i - 1].timestamp);
  const positive = gaps.filter((g) => g > 0).sort((a, b) => a - b);
  if (positive.length < 3) return fallback;
  return positive[Math.floor(positive.length / 2)];
}

/** The value about `agoMs` before the newest point, for a trend hint. */
export function valueAgo(
  points: readonly DashboardMetrics[],
  agoMs: number,
  pick: (m: DashboardMetrics) => number,
): number | null {
  const newest = points[points.length - 1];
  if (!newest) return null;
  const target = newest.timestamp - agoMs;
  if (points[0].timestamp > target) return null;
  let best = points[0];
  for (const p of points) {
    if (p.timestamp > target) break;
    best = p;
  }
  return pick(best);
}
