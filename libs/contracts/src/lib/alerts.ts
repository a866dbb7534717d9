import { ROLES, type Role } from './auth';

/** What a rule can watch: the numeric metrics of a tick, and the system status. */
export const ALERT_METRICS = [
  'activeUsers',
  'ordersPerMinute',
  'revenue',
  'ordersToday',
  'systemStatus',
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** `above`/`below` a threshold (numeric metrics); `not-operational` (systemStatus only). */
export const ALERT_CONDITIONS = ['above', 'below', 'not-operational'] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

/** The roles a rule can notify (every enabled user who has exactly one of them). */
export const ALERT_RECIPIENT_ROLES = ROLES;
export type AlertRecipientRole = Role;

export const ALERT_RULE_NAME_MAX = 100;
/** Longest "for": a day. */
export const ALERT_DURATION_MAX_S = 86_400;
/** Rules the whole deployment may hold (each is evaluated on every tick). */
export const ALERT_RULES_MAX = 100;
/** Users a rule may name directly. */
export const ALERT_RECIPIENT_USERS_MAX = 50;

export interface AlertRecipients {
  /** User ids (or usernames when creating). */
  users?: Array<number | string>;
  roles?: AlertRecipientRole[];
}

/** `POST /api/alerts/rules`. */
export interface CreateAlertRuleRequest {
  name: string;
  metric: AlertMetric;
  condition: AlertCondition;
  /** Required for `above` and `below`; not allowed with `not-operational`. */
  threshold?: number;
  /**
   * How far back across the threshold the value must go before a firing rule may resolve
   * (default 0): `above 10` with `hysteresis 2` resolves at 8 or less.
   */
  hysteresis?: number;
  /** "for N seconds": the condition must hold this long before the rule fires (default 0). */
  durationSeconds?: number;
  /** At least one user or role. */
  recipients: AlertRecipients;
  /** Default true. */
  enabled?: boolean;
}

/**
 * `PATCH /api/alerts/rules/:id`: any of a rule's fields, the others kept (`threshold: null` drops
 * it, for a switch to `systemStatus`). The rule as changed must be one `POST` would take. A change
 * to what is judged (metric, condition, threshold, hysteresis, duration) or to `enabled` starts the
 * rule over at `ok`; a new name or new recipients keep its state.
 */
export type UpdateAlertRuleRequest = Partial<Omit<CreateAlertRuleRequest, 'threshold'>> & {
  threshold?: number | null;
};

/** `ok`: quiet; `pending`: the condition holds, not yet for `durationSeconds`; `firing`; `resolving`. */
export type AlertState = 'ok' | 'pending' | 'firing' | 'resolving';

export interface AlertRule {
  id: number;
  name: string;
  metric: AlertMetric;
  condition: AlertCondition;
  threshold: number | null;
  hysteresis: number;
  durationSeconds: number;
  recipients: { users: Array<{ id: number; username: string }>; roles: AlertRecipientRole[] };
  enabled: boolean;
  state: AlertState;
  /** ISO 8601: when the rule entered `state`. */
  stateSince: string;
  /** The value at the last evaluation (a status for `systemStatus`), null before the first. */
  lastValue: number | string | null;
  createdBy: { id: number; username: string };
  createdAt: string;
}

/** One entry of the alert history: a rule fired or resolved. */
export interface AlertEvent {
  id: number;
  ruleId: number;
  ruleName: string;
  kind: 'firing' | 'resolved';
  metric: AlertMetric;
  condition: AlertCondition;
  threshold: number | null;
  /** The value that made it fire or resolve. */
  value: number | string;
  /** How many users were notified. */
  notified: number;
  /** ISO 8601. */
  at: string;
}

/** `GET /api/alerts/history?limit=&before=`: newest first. */
export interface AlertHistoryResponse {
  items: AlertEvent[];
  /** Pass as `?before=` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}
