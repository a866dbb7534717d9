import {
  BadRequestException,
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
} from '@nestjs/common';

import {
  type DashboardHistoryRangeResponse,
  type DashboardMetrics,
  HISTORY_MAX_POINTS,
  HISTORY_STEPS_MS,
  HISTORY_TARGET_POINTS,
} from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AnnotationsService } from '../annotations/annotations.service';
import { DashboardService } from '../dashboard/dashboard.service';
import { HistoryStore } from './history-store';
import { MinuteRollup } from './minute-rollup';

/** The range answered when a query gives neither `from` nor a way to infer it. */
export const HISTORY_DEFAULT_RANGE_MS = 15 * 60_000;
/** How often the publisher deletes the minutes older than HISTORY_RETENTION_DAYS. */
export const HISTORY_PRUNE_EVERY_MS = 10 * 60_000;
/** Minutes held in memory while the database refuses writes; older ones are dropped. */
const MAX_PENDING_MINUTES = 24 * 60;

const DAY_MS = 86_400_000;

/**
 * Stored dashboard history: the ticks this instance publishes (the cluster's tick publisher
 * only, so each tick is written once) rolled up per minute into `dashboard_history`, with
 * the minutes past the retention pruned, and any range read back in a bounded number of points.
 */
@Injectable()
export class HistoryService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(HistoryService.name);
  private readonly rollup = new MinuteRollup();
  private writing: Promise<void> | null = null;
  private lastPrune = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: HistoryStore,
    private readonly dashboard: DashboardService,
    private readonly annotations: AnnotationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit() {
    this.unsubscribe = this.dashboard.onTickPublished((metrics) => this.record(metrics));
  }

  /** What is not written yet is written before the database closes. */
  async beforeApplicationShutdown() {
    this.unsubscribe?.();
    await this.flush();
  }

  /** Adds one published tick; the write happens behind it, one at a time, ticks merged meanwhile. */
  record(metrics: DashboardMetrics): Promise<void> {
    this.rollup.add(metrics);
    return this.flush();
  }

  /** Resolves once everything recorded so far has been tried. */
  flush(): Promise<void> {
    if (!this.writing) {
      this.writing = this.writeAll().finally(() => (this.writing = null));
      return this.writing;
    }
    // A write is under way: this tick goes with the next one.
    return this.writing.then(() => this.flush());
  }

  private async writeAll(): Promise<void> {
    while (this.rollup.size) {
      const rows = this.rollup.take();
      try {
        await this.store.add(rows);
      } catch (err) {
        this.rollup.restore(rows, MAX_PENDING_MINUTES);
        this.logger.warn(`Dashboard history not written (kept for the next tick): ${(err as Error).message}`);
        return;
      }
    }
    await this.pruneIfDue();
  }

  private async pruneIfDue() {
    const now = Date.now();
    if (now - this.lastPrune < HISTORY_PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    try {
      const before = now - this.config.historyRetentionDays * DAY_MS;
      const deleted = await this.store.prune(before);
      const marks = await this.annotations.prune(before);
      if (deleted || marks)
        this.logger.log(`Pruned ${deleted} minute(s) of dashboard history, ${marks} annotation(s)`);
    } catch (err) {
      this.logger.warn(`Dashboard history not pruned: ${(err as Error).message}`);
    }
  }

  /**
   * The stored series from `from` to `to` in buckets of `step` (all epoch ms, validated
   * already). Missing `to` is now, missing `from` is 15 min before `to`, missing `step` the
   * smallest usual step that keeps the answer within HISTORY_TARGET_POINTS.
   */
  async range(query: { from?: number; to?: number; step?: number }): Promise<DashboardHistoryRangeResponse> {
    const to = query.to ?? Math.max(Date.now(), query.from ?? 0);
    const from = query.from ?? to - HISTORY_DEFAULT_RANGE_MS;
    if (from > to) throw new BadRequestException('from: must not be after to');
    const span = to - from;
    const step =
      query.step ??
      HISTORY_STEPS_MS.find((s) => Math.floor(span / s) + 1 <= HISTORY_TARGET_POINTS) ??
      HISTORY_STEPS_MS[HISTORY_STEPS_MS.length - 1];
    const alignedFrom = from - (from % step);
    const points = Math.floor((to - alignedFrom) / step) + 1;
    if (points > HISTORY_MAX_POINTS) {
      const least = Math.ceil((to - alignedFrom) / (HISTORY_MAX_POINTS - 1) / 60_000) * 60_000;
      throw new BadRequestException(
        query.step === undefined
          ? `from: the range is too long (${points} points at the largest step; at most ${HISTORY_MAX_POINTS})`
          : `step: ${step} ms would return up to ${points} points for this range (at most ${HISTORY_MAX_POINTS}): use a step of at least ${least} ms`,
      );
    }
    return {
      from: alignedFrom,
      to,
      step,
      retentionDays: this.config.historyRetentionDays,
      currency: this.config.currency,
      series: await this.store.range(alignedFrom, to, step),
      annotations: await this.annotations.range(alignedFrom, to),
    };
  }
}
