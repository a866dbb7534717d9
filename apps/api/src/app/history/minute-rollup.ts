import type { DashboardMetrics, SystemStatus } from '@realtime/contracts';

import type { DashboardHistoryTable } from '../../infra/database/schema';

export const STATUS_RANK: Record<SystemStatus, number> = { operational: 0, degraded: 1, down: 2 };
export const STATUS_OF_RANK: SystemStatus[] = ['operational', 'degraded', 'down'];

/** Metric of the contract → column prefix of `dashboard_history`. */
export const METRIC_COLUMNS = {
  activeUsers: 'active_users',
  ordersPerMinute: 'orders_per_minute',
  revenue: 'revenue',
  ordersToday: 'orders_today',
} as const;

export type HistoryRow = DashboardHistoryTable;

export const minuteOf = (ms: number) => ms - (((ms % 60_000) + 60_000) % 60_000);

/**
 * Ticks not yet written, merged per minute. A row here is a delta that the database adds to
 * what it already holds for that minute (sums add, least and greatest combine), so a write
 * may carry one tick or several, and a minute may be written any number of times.
 */
export class MinuteRollup {
  private readonly pending = new Map<number, HistoryRow>();

  add(metrics: DashboardMetrics): void {
    const minute = minuteOf(metrics.timestamp);
    const row = this.pending.get(minute);
    const status = STATUS_RANK[metrics.systemStatus] ?? 2;
    if (!row) {
      const fresh = { minute, samples: 1, status_worst: status, updated_at: metrics.timestamp } as HistoryRow;
      for (const [metric, column] of Object.entries(METRIC_COLUMNS)) {
        const value = metrics[metric as keyof typeof METRIC_COLUMNS];
        fresh[`${column}_sum`] = value;
        fresh[`${column}_min`] = value;
        fresh[`${column}_max`] = value;
      }
      this.pending.set(minute, fresh);
      return;
    }
    row.samples++;
    row.status_worst = Math.max(row.status_worst, status);
    row.updated_at = Math.max(row.updated_at, metrics.timestamp);
    for (const [metric, column] of Object.entries(METRIC_COLUMNS)) {
      const value = metrics[metric as keyof typeof METRIC_COLUMNS];
      row[`${column}_sum`] += value;
      row[`${column}_min`] = Math.min(row[`${column}_min`], value);
      row[`${column}_max`] = Math.max(row[`${column}_max`], value);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  /** The deltas so far, oldest minute first; the rollup is empty afterwards. */
  take(): HistoryRow[] {
    const rows = [...this.pending.values()].sort((a, b) => a.minute - b.minute);
    this.pending.clear();
    return rows;
  }

  /**
   * Puts deltas back (a write failed), merged with whatever arrived meanwhile, keeping the
   * newest `maxMinutes` minutes (a database down for a day does not grow memory without end).
   */
  restore(rows: HistoryRow[], maxMinutes = Infinity): void {
    for (const row of rows) {
      const now = this.pending.get(row.minute);
      if (!now) {
        this.pending.set(row.minute, row);
        continue;
      }
      now.samples += row.samples;
      now.status_worst = Math.max(now.status_worst, row.status_worst);
      now.updated_at = Math.max(now.updated_at, row.updated_at);
      for (const column of Object.values(METRIC_COLUMNS)) {
        now[`${column}_sum`] += row[`${column}_sum`];
        now[`${column}_min`] = Math.min(now[`${column}_min`], row[`${column}_min`]);
        now[`${column}_max`] = Math.max(now[`${column}_max`], row[`${column}_max`]);
      }
    }
    if (this.pending.size > maxMinutes) {
      const oldest = [...this.pending.keys()].sort((a, b) => a - b);
      for (const minute of oldest.slice(0, this.pending.size - maxMinutes)) this.pending.delete(minute);
    }
  }
}
