import type { Annotation } from './annotations';
import type { SystemStatus } from './metrics';

/** The numeric metrics that are stored per minute and can be charted over any range. */
export const HISTORY_METRICS = ['activeUsers', 'ordersPerMinute', 'revenue', 'ordersToday'] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

/** Shortest step of `GET /api/dashboard/history?from=&to=`: the stored rows are per minute. */
export const HISTORY_MIN_STEP_MS = 60_000;
/** Most points one answer may hold; a range and step that would return more get a 400. */
export const HISTORY_MAX_POINTS = 1500;
/** Without `step`, the smallest of these that keeps the answer at or below HISTORY_TARGET_POINTS. */
export const HISTORY_STEPS_MS = [
  60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000,
  43_200_000, 86_400_000,
] as const;
export const HISTORY_TARGET_POINTS = 500;

/** Average, least and greatest value of one metric over the ticks of a bucket. */
export interface MetricSummary {
  avg: number;
  min: number;
  max: number;
}

/** One point of a stored series: every tick between `t` and `t + step` rolled up. */
export interface DashboardHistoryBucket {
  /** Start of the bucket, epoch milliseconds (a multiple of `step`). */
  t: number;
  /** Ticks rolled into this point. */
  samples: number;
  activeUsers: MetricSummary;
  ordersPerMinute: MetricSummary;
  revenue: MetricSummary;
  ordersToday: MetricSummary;
  /** The worst status seen in the bucket. */
  systemStatus: SystemStatus;
}

/** Query of `GET /api/dashboard/history?from=&to=&step=` (times: ISO 8601 or epoch ms; step: ms). */
export interface DashboardHistoryRangeQuery {
  from?: string;
  to?: string;
  step?: string;
}

/**
 * `GET /api/dashboard/history?from=&to=&step=`: the stored series of that range, oldest first,
 * one point per `step` that has data (a gap stays a gap).
 */
export interface DashboardHistoryRangeResponse {
  /** The range answered, epoch ms: `from` rounded down to a multiple of `step`. */
  from: number;
  to: number;
  step: number;
  /** Days of per-minute rows the server keeps (HISTORY_RETENTION_DAYS). */
  retentionDays: number;
  currency: string;
  series: DashboardHistoryBucket[];
  /** The annotations placed in the range (alerts, deploys, notes), oldest first, at most 1000. */
  annotations: Annotation[];
}
