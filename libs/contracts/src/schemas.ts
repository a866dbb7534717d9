// Runtime validators for every payload that crosses the wire. Each schema is checked
// against the interface it validates, so changing one without the other breaks the build.
import { z } from 'zod';

import {
  CHAT_CONTENT_MAX,
  CURRENCIES,
  NOTIFICATION_MESSAGE_MAX,
  NOTIFICATION_PAGE_DEFAULT,
  NOTIFICATION_PAGE_MAX,
  NOTIFICATION_TITLE_MAX,
  NOTIFICATION_TYPES,
  type ChatSendRequest,
  type CreateNotificationRequest,
  type CreateOrderRequest,
  type JoinRequest,
  type LeaveRequest,
  type LoginRequest,
  type NotificationListQuery,
  type TypingRequest,
  type AuthRefreshRequest,
  API_KEY_SCOPES,
  type ChangePasswordRequest,
  type CreateApiKeyRequest,
  type CreateUserRequest,
  PASSWORD_MAX_LENGTH,
  ROLES,
  type UpdateUserRequest,
  USERNAME_PATTERN,
  USERNAME_RULE,
  type BroadcastNotificationRequest,
  CHAT_PAGE_MAX,
  ROOM_KINDS,
  ROOMS_PAGE_MAX,
  type CreateRoomRequest,
  type InviteRequest,
  type MarkReadRequest,
  type DashboardHistoryRangeQuery,
  HISTORY_MIN_STEP_MS,
  ORDER_MAX_AMOUNT,
  ALERT_CONDITIONS,
  ALERT_DURATION_MAX_S,
  ALERT_METRICS,
  ALERT_RECIPIENT_ROLES,
  ALERT_RECIPIENT_USERS_MAX,
  ALERT_RULE_NAME_MAX,
  ANNOTATION_KIND_PATTERN,
  ANNOTATION_TEXT_MAX,
  type CreateAlertRuleRequest,
  type UpdateAlertRuleRequest,
  type CreateAnnotationRequest,
} from './index';

export const LoginRequestSchema = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .strict() satisfies z.ZodType<LoginRequest>;

export const CreateOrderRequestSchema = z
  .object({
    amount: z
      .number()
      .positive()
      .max(ORDER_MAX_AMOUNT)
      .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'at most two decimals'),
    currency: z.enum(CURRENCIES),
  })
  .strict() satisfies z.ZodType<CreateOrderRequest>;

/** Printable ASCII, 1–128 characters: what we accept in an `Idempotency-Key` header. */
export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const CreateNotificationRequestSchema = z
  .object({
    userId: z.union([z.number().int().positive(), z.string().min(1).max(64)]),
    title: z.string().trim().min(1).max(NOTIFICATION_TITLE_MAX),
    message: z.string().max(NOTIFICATION_MESSAGE_MAX),
    type: z.enum(NOTIFICATION_TYPES).optional(),
  })
  .strict() satisfies z.ZodType<CreateNotificationRequest>;

export const BroadcastNotificationRequestSchema = z
  .object({
    title: z.string().trim().min(1).max(NOTIFICATION_TITLE_MAX),
    message: z.string().max(NOTIFICATION_MESSAGE_MAX),
    type: z.enum(NOTIFICATION_TYPES).optional(),
  })
  .strict() satisfies z.ZodType<BroadcastNotificationRequest>;

/** Query of `GET /api/notifications`: numbers arrive as strings; other parameters are ignored. */
export const NotificationListQuerySchema = z.object({
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'must be a nextCursor from a previous page')
    .optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, 'must be at least 1')
        .max(NOTIFICATION_PAGE_MAX, `must be at most ${NOTIFICATION_PAGE_MAX}`),
    )
    .default(NOTIFICATION_PAGE_DEFAULT),
}) satisfies z.ZodType<NotificationListQuery, { cursor?: string; limit?: string }>;

/** Room ids: lower-case letters, digits, `-` and `_`, 1–64 characters. */
export const RoomIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _');

export const JoinRequestSchema = z.object({ roomId: RoomIdSchema }).strict() satisfies z.ZodType<JoinRequest>;
export const LeaveRequestSchema = z
  .object({ roomId: RoomIdSchema })
  .strict() satisfies z.ZodType<LeaveRequest>;

/** Content length is checked separately so that an over-long message gets `TOO_LONG`. */
export const ChatSendRequestSchema = z
  .object({
    roomId: RoomIdSchema,
    content: z.string().trim().min(1),
    clientId: z.string().min(1).max(128),
  })
  .strict() satisfies z.ZodType<ChatSendRequest>;
export const CHAT_CONTENT_LIMIT = CHAT_CONTENT_MAX;

export const TypingRequestSchema = z
  .object({ roomId: RoomIdSchema, isTyping: z.boolean() })
  .strict() satisfies z.ZodType<TypingRequest>;

export const AuthRefreshRequestSchema = z
  .object({ token: z.string().min(1).max(4096) })
  .strict() satisfies z.ZodType<AuthRefreshRequest>;

/** Query of `GET /api/chat/rooms/:roomId/messages`: `before` is the opaque cursor of a page. */
export const ChatMessagesQuerySchema = z
  .object({
    before: z
      .string()
      .regex(/^[1-9]\d{0,14}$/, 'must be a cursor returned by this API')
      .optional(),
    limit: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(CHAT_PAGE_MAX))
      .optional(),
  })
  .strict();

/**
 * `POST /api/chat/rooms`. The name's finer rules (control characters, look-alikes of taken
 * names) are the server's, which answers them with a coded 400 or 409.
 */
export const CreateRoomRequestSchema = z
  .object({
    name: z.string().max(256, 'must be at most 64 characters'),
    kind: z.enum(ROOM_KINDS).default('public'),
  })
  .strict() satisfies z.ZodType<CreateRoomRequest, { name: string; kind?: string }>;

export const InviteRequestSchema = z
  .object({ username: z.string().min(1).max(64) })
  .strict() satisfies z.ZodType<InviteRequest>;

export const MarkReadRequestSchema = z
  .object({ messageId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
  .strict() satisfies z.ZodType<MarkReadRequest>;

/** Query of `GET /api/chat/rooms`: `cursor` is the last room id of the previous page. */
export const ChatRoomsQuerySchema = z
  .object({
    cursor: RoomIdSchema.optional(),
    limit: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(ROOMS_PAGE_MAX))
      .optional(),
  })
  .strict();
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A point in time as the history API takes it: epoch milliseconds, or ISO 8601 (a date, or a
 * date and time; without an offset it is UTC). Returns epoch ms.
 */
export const TimeParamSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    let ms = NaN;
    if (/^\d{1,15}$/.test(value)) ms = Number(value);
    else {
      const m = ISO_TIME.exec(value);
      if (m) ms = Date.parse(m[4] !== undefined && m[7] === undefined ? `${value}Z` : value);
    }
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time or epoch milliseconds' });
      return z.NEVER;
    }
    return ms;
  });

const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i;

/** A step of the history API: milliseconds, or an ISO 8601 duration (`PT5M`, `PT1H`, `P1D`). */
export const StepParamSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    let ms = NaN;
    if (/^\d{1,15}$/.test(value)) ms = Number(value);
    else {
      const m = ISO_DURATION.exec(value);
      if (m && value.length > 1 && !value.endsWith('T')) {
        const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
        ms = (((d * 24 + h) * 60 + min) * 60 + s) * 1000;
      }
    }
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be milliseconds or an ISO 8601 duration such as PT5M' });
      return z.NEVER;
    }
    if (ms < HISTORY_MIN_STEP_MS || ms % HISTORY_MIN_STEP_MS !== 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a whole number of minutes (a multiple of ${HISTORY_MIN_STEP_MS} ms): the rows are per minute`,
      });
      return z.NEVER;
    }
    return ms;
  });

/**
 * Query of `GET /api/dashboard/history?from=&to=&step=`, each field checked on its own and
 * `from` against `to`; the server fills in what is missing and bounds the number of points.
 */
export const DashboardHistoryRangeQuerySchema = z
  .object({
    from: TimeParamSchema.optional(),
    to: TimeParamSchema.optional(),
    step: StepParamSchema.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    path: ['from'],
    message: 'must not be after to',
  }) satisfies z.ZodType<{ from?: number; to?: number; step?: number }, DashboardHistoryRangeQuery>;

const finite = (what: string) =>
  z.number({ error: `must be a number (${what})` }).refine(Number.isFinite, 'must be a finite number');

const threshold = finite('the value to compare with').refine((n) => Math.abs(n) <= 1e15, 'is too large');

/** A rule's fields, each checked alone; how they go together is `checkAlertRule`'s. */
const AlertRuleFieldsSchema = z
  .object({
    name: z.string().trim().min(1).max(ALERT_RULE_NAME_MAX),
    metric: z.enum(ALERT_METRICS, { error: `must be one of ${ALERT_METRICS.join(', ')}` }),
    condition: z.enum(ALERT_CONDITIONS, { error: `must be one of ${ALERT_CONDITIONS.join(', ')}` }),
    threshold: threshold.optional(),
    hysteresis: finite('how far back the value must go to resolve')
      .min(0, 'must be at least 0')
      .max(1e15, 'is too large')
      .optional(),
    durationSeconds: z
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be at least 0')
      .max(ALERT_DURATION_MAX_S, `must be at most ${ALERT_DURATION_MAX_S} (a day)`)
      .optional(),
    recipients: z
      .object({
        users: z
          .array(z.union([z.number().int().positive(), z.string().trim().min(1).max(64)]))
          .max(ALERT_RECIPIENT_USERS_MAX)
          .optional(),
        roles: z.array(z.enum(ALERT_RECIPIENT_ROLES)).max(ALERT_RECIPIENT_ROLES.length).optional(),
      })
      .strict()
      .refine((r) => (r.users?.length ?? 0) + (r.roles?.length ?? 0) > 0, 'name at least one user or role'),
    enabled: z.boolean().optional(),
  })
  .strict();

/**
 * `POST /api/alerts/rules`. The threshold goes with `above`/`below` on a numeric metric;
 * `not-operational` goes with `systemStatus` and no threshold; at least one recipient.
 */
export const CreateAlertRuleRequestSchema = AlertRuleFieldsSchema.superRefine((rule, ctx) => {
  const status = rule.metric === 'systemStatus';
  if (status && rule.condition !== 'not-operational') {
    ctx.addIssue({ code: 'custom', path: ['condition'], message: 'systemStatus takes not-operational' });
  }
  if (!status && rule.condition === 'not-operational') {
    ctx.addIssue({ code: 'custom', path: ['condition'], message: `${rule.metric} takes above or below` });
  }
  if (rule.condition === 'not-operational') {
    if (rule.threshold !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'not allowed with not-operational' });
    }
  } else if (rule.threshold === undefined) {
    ctx.addIssue({ code: 'custom', path: ['threshold'], message: `required with ${rule.condition}` });
  }
}) satisfies z.ZodType<CreateAlertRuleRequest>;

/**
 * `PATCH /api/alerts/rules/:id`: the fields to change, at least one; the rule they make is then
 * checked as `CreateAlertRuleRequestSchema` checks a new one.
 */
export const UpdateAlertRuleRequestSchema = AlertRuleFieldsSchema.partial()
  .extend({ threshold: threshold.nullable().optional() })
  .strict()
  .refine(
    (change) => Object.keys(change).length > 0,
    'name at least one field to change',
  ) satisfies z.ZodType<UpdateAlertRuleRequest>;

/** `?limit=&before=` of `GET /api/alerts/history`. */
export const AlertHistoryQuerySchema = z.object({
  before: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a nextCursor returned by this API')
    .optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'))
    .default(50),
});

/** `POST /api/annotations`. */
export const CreateAnnotationRequestSchema = z
  .object({
    text: z.string().trim().min(1).max(ANNOTATION_TEXT_MAX),
    kind: z
      .string()
      .regex(ANNOTATION_KIND_PATTERN, 'must be a lower-case word (letters, digits, -), up to 32 characters')
      .optional(),
    time: z
      .union([z.number().int().min(0).max(8.64e15), TimeParamSchema], {
        error: 'must be an ISO 8601 time or epoch milliseconds',
      })
      .optional(),
  })
  .strict() satisfies z.ZodType<CreateAnnotationRequest, CreateAnnotationRequest>;

/** One line naming each bad field: `amount: Too small: expected number to be >0`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

// Accounts (issue 12). The password rule itself (passwordProblem) is checked by the service,
// which knows the username; here only the length bound, so that a huge body is refused early.
const Password = z.string().min(1).max(PASSWORD_MAX_LENGTH);

export const CreateUserRequestSchema = z
  .object({
    username: z.string().regex(USERNAME_PATTERN, USERNAME_RULE),
    password: Password,
    role: z.enum(ROLES),
  })
  .strict() satisfies z.ZodType<CreateUserRequest>;

export const UpdateUserRequestSchema = z
  .object({
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
    password: Password.optional(),
  })
  .strict()
  .refine(
    (b) => Object.keys(b).length > 0,
    'give at least one of role, disabled, password',
  ) satisfies z.ZodType<UpdateUserRequest>;

export const ChangePasswordRequestSchema = z
  .object({ currentPassword: Password, newPassword: Password })
  .strict() satisfies z.ZodType<ChangePasswordRequest>;

export const CreateApiKeyRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict() satisfies z.ZodType<CreateApiKeyRequest>;
