import type { DashboardMetrics } from '@realtime/contracts';

export const WINDOW_MS = 15 * 60_000;
export const DEFAULT_TICK_MS = 5000;

/** Most chart points a range holds from live ticks: longer ranges fold ticks into steps of range / this. */
export const MAX_CHART_POINTS = 1000;

/** How many ticks each folded point stands for (a stored bucket's `samples`; 1 when unknown). */
const weights = new WeakMap<DashboardMetrics, number>();

/** Records that `point` is the average of `samples` ticks (a stored bucket), for later folding. */
export function withWeight(point: DashboardMetrics, samples: number): DashboardMetrics {
  if (Number.isFinite(samples) && samples > 1) weights.set(point, samples);
  return point;
}

export function weightOf(point: DashboardMetrics): number {
  return weights.get(point) ?? 1;
}

const STATUS_RANK: Record<string, number> = { operational: 0, degraded: 1, down: 2 };

/**
 * Two points of one step as one, as the history API's per-step rollup does: the averages
 * weighted by the ticks each stands for, the worst status, the earlier timestamp (a stored
 * bucket's start), the newer point's currency and components.
 */
export function foldMetrics(older: DashboardMetrics, newer: DashboardMetrics): DashboardMetrics {
  const a = weightOf(older);
  const b = weightOf(newer);
  const avg = (x: number | undefined, y: number | undefined) =>
    x === undefined || !Number.isFinite(x)
      ? y
      : y === undefined || !Number.isFinite(y)
        ? x
        : (x * a + y * b) / (a + b);
  const folded: DashboardMetrics = {
    ...newer,
    activeUsers: avg(older.activeUsers, newer.activeUsers) as number,
    ordersPerMinute: avg(older.ordersPerMinute, newer.ordersPerMinute) as number,
    revenue: avg(older.revenue, newer.revenue) as number,
    ordersToday: avg(older.ordersToday, newer.ordersToday) as number,
    systemStatus:
      (STATUS_RANK[older.systemStatus] ?? 2) > (STATUS_RANK[newer.systemStatus] ?? 2)
        ? older.systemStatus
        : newer.systemStatus,
    timestamp: Math.min(older.timestamp, newer.timestamp),
  };
  weights.set(folded, a + b);
  return folded;
}

/**
 * The step live ticks fold into on a range: at least range / MAX_CHART_POINTS (so even fast ticks
 * keep the count bounded) and, on a long range (one whose usual 5 s ticks would be more than
 * MAX_CHART_POINTS: 24 h, 7 d, 30 d), the stored series' step. The 15 min and 1 h ranges keep
 * every usual tick.
 */
export function foldStepMs(rangeMs: number, storedStepMs = 0): number {
  const least = Math.ceil(rangeMs / MAX_CHART_POINTS);
  return rangeMs / DEFAULT_TICK_MS > MAX_CHART_POINTS ? Math.max(storedStepMs, least) : least;
}

/**
 * Adds `incoming` to the time-ordered `points`, keeping only the last `windowMs` before the
 * newest point. With `stepMs` 0: one point per server timestamp (a replayed or backfilled point
 * replaces its twin, so a reconnect leaves neither gaps nor duplicates). With a step: one point
 * per step (steps start at multiples of it, as the history API's buckets do); a point in the
 * step of another folds into it (see foldMetrics), so the count stays at most
 * windowMs / stepMs + 1 however many ticks arrive.
 */
export function mergeMetrics(
  points: readonly DashboardMetrics[],
  incoming: readonly DashboardMetrics[],
  windowMs = WINDOW_MS,
  stepMs = 0,
): DashboardMetrics[] {
  if (incoming.length === 0) return points as DashboardMetrics[];
  const key = (t: number) => (stepMs > 0 ? t - (((t % stepMs) + stepMs) % stepMs) : t);
  const byKey = new Map<number, DashboardMetrics>();
  const add = (p: DashboardMetrics) => {
    const k = key(p.timestamp);
    const had = byKey.get(k);
    byKey.set(
      k,
      !had || stepMs <= 0 ? p : had.timestamp <= p.timestamp ? foldMetrics(had, p) : foldMetrics(p, had),
    );
  };
  for (const p of points) add(p);
  for (const p of incoming) if (Number.isFinite(p?.timestamp)) add(p);
  const sorted = [...byKey.values()].sort((a, b) => a.timestamp - b.timestamp);
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
