import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';

import type { AlertCondition, AlertMetric, AlertState, DashboardMetrics } from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import { AnnotationsService } from '../annotations/annotations.service';
import { DashboardService } from '../dashboard/dashboard.service';
import { NotificationsService } from '../notifications/notifications.service';
import { type EvaluatedRule, judge, transition } from './alert-evaluator';
import { type AlertRuleRow, AlertRulesService } from './alert-rules.service';

/** A firing rule resolves only after its value has been clear for this many ticks at least. */
export const ALERT_MIN_CLEAR_TICKS = 3;

const CONDITION_TEXT: Record<AlertCondition, string> = {
  above: 'above',
  below: 'below',
  'not-operational': 'not operational',
};

/**
 * Evaluates every enabled alert rule on each tick this instance publishes (the cluster's tick
 * publisher only). A state change is a conditional update of the rule's row (`where state =
 * <as read>`), so even two instances evaluating for a moment change it, and notify, once.
 * A firing or a resolution becomes a notification to each recipient (sender: the system), an
 * entry in the alert history and an annotation on the charts. Nothing here can stop a tick:
 * an error is logged, per rule.
 */
@Injectable()
export class AlertEvaluationService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AlertEvaluationService.name);
  private unsubscribe: (() => void) | undefined;
  private evaluating = false;
  /** Rules whose evaluation failed last time: logged once until they work again, not every tick. */
  private readonly failing = new Set<number>();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly dashboard: DashboardService,
    private readonly rules: AlertRulesService,
    private readonly notifications: NotificationsService,
    private readonly annotations: AnnotationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get db() {
    return this.database.db;
  }

  onModuleInit() {
    this.unsubscribe = this.dashboard.onTickPublished((metrics) => this.evaluate(metrics));
  }

  onModuleDestroy() {
    this.unsubscribe?.();
  }

  /** One pass over the enabled rules; a pass still running (slow database) skips this tick. */
  async evaluate(metrics: DashboardMetrics): Promise<void> {
    if (this.evaluating) return;
    this.evaluating = true;
    try {
      const rows = await this.db.selectFrom('alert_rules').selectAll().where('enabled', '=', 1).execute();
      for (const row of rows) {
        const id = Number(row.id);
        try {
          await this.evaluateRule(row, metrics);
          this.failing.delete(id);
        } catch (err) {
          if (!this.failing.has(id)) {
            this.logger.error(`Alert rule ${id} (${row.name}) not evaluated: ${(err as Error).message}`);
          }
          this.failing.add(id);
        }
      }
    } finally {
      this.evaluating = false;
    }
  }

  private async evaluateRule(row: AlertRuleRow, metrics: DashboardMetrics) {
    const rule: EvaluatedRule = {
      metric: row.metric as AlertMetric,
      condition: row.condition as AlertCondition,
      threshold: row.threshold === null ? null : Number(row.threshold),
      hysteresis: Number(row.hysteresis),
      durationMs: Number(row.duration_ms),
      state: row.state as AlertState,
      stateSince: Number(row.state_since),
    };
    const { verdict, value } = judge(rule, metrics);
    const now = metrics.timestamp;
    const next = transition(rule, verdict, now, ALERT_MIN_CLEAR_TICKS * this.config.dashboardTickMs);
    if (!next) return;
    const changed = await this.db
      .updateTable('alert_rules')
      .set({ state: next.state, state_since: now, last_value: String(value) })
      .where('id', '=', row.id)
      .where('state', '=', row.state)
      .where('state_since', '=', row.state_since)
      .executeTakeFirst();
    // Another evaluation (a second publisher for a moment) got there first: it notifies.
    if (!Number(changed.numUpdatedRows) || !next.event) return;
    await this.announce(row, next.event, value, now);
  }

  private async announce(row: AlertRuleRow, kind: 'firing' | 'resolved', value: number | string, at: number) {
    const threshold = row.threshold === null ? '' : ` ${Number(row.threshold)}`;
    const condition = `${row.metric} ${CONDITION_TEXT[row.condition as AlertCondition]}${threshold}`;
    const durationS = Number(row.duration_ms) / 1000;
    const title = kind === 'firing' ? `Alert: ${row.name}` : `Resolved: ${row.name}`;
    const message =
      kind === 'firing'
        ? `${condition}${durationS ? ` for ${durationS} s` : ''}: ${row.metric} is ${value}`
        : `${row.metric} is back at ${value} (alert when ${condition})`;
    let notified = 0;
    for (const userId of await this.rules.recipientIds(row)) {
      try {
        await this.notifications.create(
          { userId, title, message, type: kind === 'firing' ? 'warning' : 'success' },
          { system: true },
        );
        notified++;
      } catch (err) {
        this.logger.warn(`Alert ${row.id}: user ${userId} not notified: ${(err as Error).message}`);
      }
    }
    await this.db
      .insertInto('alert_events')
      .values({
        rule_id: row.id,
        rule_name: row.name,
        kind,
        metric: row.metric,
        condition: row.condition,
        threshold: row.threshold,
        value: String(value),
        notified,
        created_at: at,
      })
      .execute();
    await this.annotations.create(
      { text: `${title}: ${message}`.slice(0, 500), kind: `alert-${kind}`, time: at, ruleId: Number(row.id) },
      { system: true },
    );
    this.logger.log(`${title} (${notified} notified)`);
  }
}
