import type { Annotation, DashboardHistoryBucket, DashboardMetrics } from '@realtime/contracts';

import { withWeight } from './series';

/** The ranges the time-range picker offers. */
export const TIME_RANGES = [
  { key: '15m', label: '15 min', ms: 15 * 60_000 },
  { key: '1h', label: '1 h', ms: 3_600_000 },
  { key: '24h', label: '24 h', ms: 86_400_000 },
  { key: '7d', label: '7 d', ms: 7 * 86_400_000 },
  { key: '30d', label: '30 d', ms: 30 * 86_400_000 },
] as const;
export type TimeRangeKey = (typeof TIME_RANGES)[number]['key'];

export function rangeMs(key: TimeRangeKey): number {
  return TIME_RANGES.find((r) => r.key === key)?.ms ?? TIME_RANGES[0].ms;
}

/** A stored bucket as a point of the charts: its averages at the bucket's start. */
export function bucketToMetrics(bucket: DashboardHistoryBucket, currency: string): DashboardMetrics {
  return withWeight(
    {
      activeUsers: bucket.activeUsers.avg,
      ordersPerMinute: bucket.ordersPerMinute.avg,
      revenue: bucket.revenue.avg,
      currency,
      ordersToday: bucket.ordersToday.avg,
      systemStatus: bucket.systemStatus,
      components: {},
      timestamp: bucket.t,
    },
    bucket.samples,
  );
}

/** Adds annotations (a live one, or a history range's) by id, time-ordered, the newest `max` kept. */
export function mergeAnnotations(
  current: readonly Annotation[],
  incoming: readonly Annotation[],
  max = 500,
): Annotation[] {
  const byId = new Map<number, Annotation>();
  for (const a of current) byId.set(a.id, a);
  for (const a of incoming) if (a && Number.isFinite(a.time)) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) => a.time - b.time || a.id - b.id).slice(-max);
}

const CSV_COLUMNS = [
  'time',
  'activeUsers',
  'ordersPerMinute',
  'revenue',
  'currency',
  'ordersToday',
  'systemStatus',
];

/** The points from `from` to `to` as CSV (ISO 8601 times, exact values), one row per point. */
export function toCsv(points: readonly DashboardMetrics[], from: number, to: number): string {
  const rows = points
    .filter((p) => p.timestamp >= from && p.timestamp <= to)
    .map((p) =>
      [
        new Date(p.timestamp).toISOString(),
        p.activeUsers,
        p.ordersPerMinute,
        p.revenue,
        p.currency,
        p.ordersToday,
        p.systemStatus,
      ].join(','),
    );
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
