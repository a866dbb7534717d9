import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import type { Selectable } from 'kysely';

import {
  ALERT_RULES_MAX,
  type AlertCondition,
  type AlertEvent,
  type AlertHistoryResponse,
  type AlertMetric,
  type AlertRecipientRole,
  type AlertRule,
  type AlertState,
  type CreateAlertRuleRequest,
  type UpdateAlertRuleRequest,
} from '@realtime/contracts';
import { CreateAlertRuleRequestSchema, describeIssues } from '@realtime/contracts/schemas';

import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import type { AlertEventsTable, AlertRulesTable } from '../../infra/database/schema';
import { UsersService } from '../users/users.service';

const iso = (ms: number) => new Date(ms).toISOString();

export type AlertRuleRow = Selectable<AlertRulesTable>;

export function parseValue(value: string | null): number | string | null {
  if (value === null) return null;
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

/** A stored rule as the request that would create it, every default spelled out. */
function requestOf(row: AlertRuleRow): CreateAlertRuleRequest {
  return {
    name: row.name,
    metric: row.metric as AlertMetric,
    condition: row.condition as AlertCondition,
    ...(row.threshold === null ? {} : { threshold: Number(row.threshold) }),
    hysteresis: Number(row.hysteresis),
    durationSeconds: Number(row.duration_ms) / 1000,
    recipients: {
      users: JSON.parse(row.recipient_users) as number[],
      roles: JSON.parse(row.recipient_roles) as AlertRecipientRole[],
    },
    enabled: Number(row.enabled) === 1,
  };
}

export function toAlertEvent(row: Selectable<AlertEventsTable>): AlertEvent {
  return {
    id: Number(row.id),
    ruleId: Number(row.rule_id),
    ruleName: row.rule_name,
    kind: row.kind as AlertEvent['kind'],
    metric: row.metric as AlertMetric,
    condition: row.condition as AlertCondition,
    threshold: row.threshold === null ? null : Number(row.threshold),
    value: parseValue(row.value) ?? '',
    notified: Number(row.notified),
    at: iso(Number(row.created_at)),
  };
}

/** What a rule judges: a change to any of these starts it over at `ok`. */
const JUDGED = ['metric', 'condition', 'threshold', 'hysteresis', 'durationSeconds', 'enabled'] as const;

/** Alert rules and their history: create, list, change, delete; the evaluation is AlertEvaluationService's. */
@Injectable()
export class AlertRulesService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly users: UsersService,
  ) {}

  private get db() {
    return this.database.db;
  }

  async list(): Promise<AlertRule[]> {
    const rows = await this.db.selectFrom('alert_rules').selectAll().orderBy('id').execute();
    return this.describe(rows);
  }

  async create(
    request: CreateAlertRuleRequest,
    creator: { id: number; username: string },
  ): Promise<AlertRule> {
    const definition = await this.definition(request);
    const count = await this.db
      .selectFrom('alert_rules')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    if (Number(count?.n ?? 0) >= ALERT_RULES_MAX) {
      throw new ConflictException(`At most ${ALERT_RULES_MAX} alert rules: delete one before adding another`);
    }
    const now = Date.now();
    const row = await this.db
      .insertInto('alert_rules')
      .values({
        ...definition,
        created_by: creator.id,
        created_at: now,
        state: 'ok',
        state_since: now,
        last_value: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return (await this.describe([row]))[0];
  }

  /**
   * Changes some of a rule's fields. The rule they make is checked as a new one is (a switch to
   * `not-operational` drops the threshold unless one is given); a change to what it judges, or to
   * `enabled`, starts it over at `ok` (a firing rule is then quiet until it fires again).
   */
  async update(id: number, change: UpdateAlertRuleRequest): Promise<AlertRule> {
    const row = await this.db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundException(`Alert rule ${id} not found`);
    const before = requestOf(row);
    const merged: Record<string, unknown> = { ...before, ...change };
    if (change.threshold === null || (merged.condition === 'not-operational' && !('threshold' in change))) {
      delete merged.threshold;
    }
    const checked = CreateAlertRuleRequestSchema.safeParse(merged);
    if (!checked.success) throw new BadRequestException(describeIssues(checked.error));
    const after = checked.data;
    const restart = JUDGED.some((field) => (after[field] ?? null) !== (before[field] ?? null));
    const updated = await this.db
      .updateTable('alert_rules')
      .set({
        ...(await this.definition(after)),
        ...(restart ? { state: 'ok', state_since: Date.now(), last_value: null } : {}),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new NotFoundException(`Alert rule ${id} not found`);
    return (await this.describe([updated]))[0];
  }

  /** A rule's columns as a request gives them, its recipients' names resolved to ids. */
  private async definition(request: CreateAlertRuleRequest) {
    const userIds: number[] = [];
    for (const [i, idOrName] of (request.recipients.users ?? []).entries()) {
      const user = await this.users.resolve(idOrName);
      if (!user) throw new BadRequestException(`recipients.users.${i}: no user ${JSON.stringify(idOrName)}`);
      if (!userIds.includes(user.id)) userIds.push(user.id);
    }
    return {
      name: request.name,
      metric: request.metric,
      condition: request.condition,
      threshold: request.threshold ?? null,
      hysteresis: request.hysteresis ?? 0,
      duration_ms: (request.durationSeconds ?? 0) * 1000,
      recipient_users: JSON.stringify(userIds),
      recipient_roles: JSON.stringify([...new Set(request.recipients.roles ?? [])]),
      enabled: request.enabled === false ? 0 : 1,
    };
  }

  async remove(id: number): Promise<void> {
    const result = await this.db.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
    if (!Number(result.numDeletedRows)) throw new NotFoundException(`Alert rule ${id} not found`);
  }

  /** The alert history, newest first, `limit` at a time, older than `before`. */
  async history(query: { before?: string; limit: number }): Promise<AlertHistoryResponse> {
    let select = this.db.selectFrom('alert_events').selectAll();
    if (query.before !== undefined) select = select.where('id', '<', Number(query.before));
    const rows = await select
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const items = rows.slice(0, query.limit).map(toAlertEvent);
    return { items, nextCursor: rows.length > query.limit ? String(items[items.length - 1].id) : null };
  }

  /** The ids of the users a rule notifies: the enabled ones it names, and every enabled user with one of its roles. */
  async recipientIds(row: AlertRuleRow): Promise<number[]> {
    const named = JSON.parse(row.recipient_users) as number[];
    const roles = JSON.parse(row.recipient_roles) as AlertRecipientRole[];
    if (!named.length && !roles.length) return [];
    const rows = await this.db
      .selectFrom('users')
      .select('id')
      .where('disabled_at', 'is', null)
      .where((eb) => {
        const either = [];
        if (named.length) either.push(eb('id', 'in', named));
        if (roles.length) either.push(eb('role', 'in', roles));
        return eb.or(either);
      })
      .orderBy('id')
      .execute();
    return rows.map((r) => Number(r.id));
  }

  private async describe(rows: AlertRuleRow[]): Promise<AlertRule[]> {
    const ids = new Set<number>();
    for (const row of rows) {
      ids.add(Number(row.created_by));
      for (const id of JSON.parse(row.recipient_users) as number[]) ids.add(id);
    }
    const names = new Map<number, string>();
    if (ids.size) {
      const users = await this.db
        .selectFrom('users')
        .select(['id', 'username'])
        .where('id', 'in', [...ids])
        .execute();
      for (const u of users) names.set(Number(u.id), u.username);
    }
    const user = (id: number) => ({ id, username: names.get(id) ?? '' });
    return rows.map((row) => ({
      id: Number(row.id),
      name: row.name,
      metric: row.metric as AlertMetric,
      condition: row.condition as AlertCondition,
      threshold: row.threshold === null ? null : Number(row.threshold),
      hysteresis: Number(row.hysteresis),
      durationSeconds: Number(row.duration_ms) / 1000,
      recipients: {
        users: (JSON.parse(row.recipient_users) as number[]).filter((id) => names.has(id)).map(user),
        roles: JSON.parse(row.recipient_roles) as AlertRecipientRole[],
      },
      enabled: Number(row.enabled) === 1,
      state: row.state as AlertState,
      stateSince: iso(Number(row.state_since)),
      lastValue: parseValue(row.last_value),
      createdBy: user(Number(row.created_by)),
      createdAt: iso(Number(row.created_at)),
    }));
  }
}
