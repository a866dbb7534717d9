import { Inject, Injectable } from '@nestjs/common';
import { type RawBuilder, sql } from 'kysely';

import type { DashboardHistoryBucket, MetricSummary } from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import { type HistoryRow, METRIC_COLUMNS, STATUS_OF_RANK } from './minute-rollup';

type Column = (typeof METRIC_COLUMNS)[keyof typeof METRIC_COLUMNS];

/** The per-minute rows of `dashboard_history`: add deltas, read a range in buckets, prune. */
@Injectable()
export class HistoryStore {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  /**
   * Adds each delta to its minute's row (creating it): one statement per minute, so a minute
   * written by two instances for a moment (Redis down, both publishing) keeps every sample.
   */
  async add(rows: HistoryRow[]): Promise<void> {
    const pg = this.database.dialect === 'postgres';
    const col = (name: string) => sql.ref(`dashboard_history.${name}`);
    const added = (name: string) => sql`${col(name)} + excluded.${sql.ref(name)}`;
    const pick = (fn: 'least' | 'greatest', name: string): RawBuilder<number> => {
      // SQLite's two-argument min()/max() are PostgreSQL's least()/greatest().
      const f = sql.raw(pg ? fn : fn === 'least' ? 'min' : 'max');
      return sql<number>`${f}(${col(name)}, excluded.${sql.ref(name)})`;
    };
    for (const row of rows) {
      const set: Record<string, RawBuilder<unknown>> = {
        samples: added('samples'),
        status_worst: pick('greatest', 'status_worst'),
        updated_at: pick('greatest', 'updated_at'),
      };
      for (const column of Object.values(METRIC_COLUMNS) as Column[]) {
        set[`${column}_sum`] = added(`${column}_sum`);
        set[`${column}_min`] = pick('least', `${column}_min`);
        set[`${column}_max`] = pick('greatest', `${column}_max`);
      }
      await this.db
        .insertInto('dashboard_history')
        .values(row)
        .onConflict((oc) => oc.column('minute').doUpdateSet(set))
        .execute();
    }
  }

  /**
   * The rows from `from` to `to` (inclusive, epoch ms) rolled up into buckets of `step` ms
   * (a multiple of a minute) starting at multiples of `step`, oldest first; empty ones left out.
   */
  async range(from: number, to: number, step: number): Promise<DashboardHistoryBucket[]> {
    // `step` is a validated whole number: written as a literal so that both databases divide
    // integers (a bound parameter would be a double on SQLite).
    const bucket = sql<number>`(${sql.ref('minute')} / ${sql.lit(step)}) * ${sql.lit(step)}`;
    let select = this.db
      .selectFrom('dashboard_history')
      .select([
        bucket.as('t'),
        sql<number>`sum(samples)`.as('samples'),
        sql<number>`max(status_worst)`.as('status'),
      ])
      .where('minute', '>=', from)
      .where('minute', '<=', to);
    for (const column of Object.values(METRIC_COLUMNS) as Column[]) {
      select = select.select([
        sql<number>`sum(${sql.ref(`${column}_sum`)})`.as(`${column}_sum`),
        sql<number>`min(${sql.ref(`${column}_min`)})`.as(`${column}_min`),
        sql<number>`max(${sql.ref(`${column}_max`)})`.as(`${column}_max`),
      ]);
    }
    const rows = (await select.groupBy(bucket).orderBy(bucket).execute()) as Array<Record<string, number>>;
    return rows.map((r) => {
      const samples = Number(r['samples']);
      const summary = (column: Column): MetricSummary => ({
        avg: round(Number(r[`${column}_sum`]) / samples),
        min: Number(r[`${column}_min`]),
        max: Number(r[`${column}_max`]),
      });
      return {
        t: Number(r['t']),
        samples,
        activeUsers: summary('active_users'),
        ordersPerMinute: summary('orders_per_minute'),
        revenue: summary('revenue'),
        ordersToday: summary('orders_today'),
        systemStatus: STATUS_OF_RANK[Number(r['status'])] ?? 'down',
      };
    });
  }

  /** Deletes the minutes before `before` (epoch ms); returns how many. */
  async prune(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('dashboard_history')
      .where('minute', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }
}

/** Averages to 4 decimals: enough for a chart or a tooltip, and stable JSON. */
function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
