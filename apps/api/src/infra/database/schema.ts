import type { Generated } from 'kysely';

// Times are epoch milliseconds in BIGINT/INTEGER columns: one representation on both
// SQLite and PostgreSQL, cheap to compare, converted to ISO strings at the edge.
export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  created_at: number;
  /** `admin` | `operator` | `viewer`. */
  role: Generated<string>;
  /** Set while the account is disabled: it cannot sign in and its sessions are revoked. */
  disabled_at: number | null;
}

/** A signed-in browser: the refresh token (hashed) that renews its access tokens. */
export interface SessionsTable {
  /** Random, also the `sid` claim of the session's access tokens. */
  id: string;
  user_id: number;
  /** SHA-256 of the current refresh token. */
  token_hash: string;
  /** The token it replaced, accepted for a few seconds (two tabs renewing at once). */
  previous_hash: string | null;
  rotated_at: number | null;
  device: string;
  created_at: number;
  last_used_at: number;
  /** Sliding: moved forward by SESSION_TTL_DAYS on each renewal. */
  expires_at: number;
  revoked_at: number | null;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  /** SHA-256 of the key; the key itself is shown once, at creation. */
  key_hash: string;
  /** The first characters of the key, to tell keys apart in a list. */
  prefix: string;
  /** Space-separated scopes. */
  scopes: string;
  owner_id: number;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface OrdersTable {
  id: Generated<number>;
  user_id: number;
  /** Minor units (cents), so sums are exact. */
  amount_minor: number;
  currency: string;
  idempotency_key: string | null;
  created_at: number;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  type: string;
  title: string;
  message: string;
  created_at: number;
  read_at: number | null;
  /** Null for notifications the system sends. */
  sender_id: Generated<number | null>;
  sender_name: Generated<string | null>;
}

/** Per-user log of what happened to notifications; its id is the SSE event id. */
export interface NotificationEventsTable {
  id: Generated<number>;
  user_id: number;
  kind: string;
  /** The event's `data`, already serialized as JSON. */
  payload: string;
  created_at: number;
}

export interface RoomsTable {
  id: string;
  created_at: number;
  /** Display name as given (NFC); null only until start-up fills in rooms older than 0003. */
  name: string | null;
  /** The name folded for look-alike checks (see chat/room-name.ts); unique. */
  name_key: string | null;
  kind: Generated<string>;
  owner_id: number | null;
  archived_at: number | null;
}

export interface RoomMembersTable {
  room_id: string;
  user_id: number;
  joined_at: number;
  /** Id of the last message the member has read; unread = later messages by others. */
  last_read_id: Generated<number>;
}

export interface ChatMessagesTable {
  id: Generated<number>;
  room_id: string;
  sender_id: number;
  client_id: string;
  content: string;
  created_at: number;
}

/** One minute of dashboard ticks (`minute` = its start, epoch ms). */
export interface DashboardHistoryTable {
  minute: number;
  samples: number;
  active_users_sum: number;
  active_users_min: number;
  active_users_max: number;
  orders_per_minute_sum: number;
  orders_per_minute_min: number;
  orders_per_minute_max: number;
  revenue_sum: number;
  revenue_min: number;
  revenue_max: number;
  orders_today_sum: number;
  orders_today_min: number;
  orders_today_max: number;
  /** 0 operational, 1 degraded, 2 down: the worst of the minute. */
  status_worst: number;
  updated_at: number;
}

export interface AlertRulesTable {
  id: Generated<number>;
  name: string;
  metric: string;
  condition: string;
  threshold: number | null;
  hysteresis: number;
  duration_ms: number;
  /** JSON array of user ids. */
  recipient_users: string;
  /** JSON array of roles. */
  recipient_roles: string;
  /** 1 or 0 (one representation on both databases). */
  enabled: number;
  created_by: number;
  created_at: number;
  /** ok | pending | firing | resolving: changed only by a conditional update, so once per change. */
  state: string;
  state_since: number;
  last_value: string | null;
}

export interface AlertEventsTable {
  id: Generated<number>;
  rule_id: number;
  rule_name: string;
  kind: string;
  metric: string;
  condition: string;
  threshold: number | null;
  value: string;
  notified: number;
  created_at: number;
}

export interface AnnotationsTable {
  id: Generated<number>;
  /** Epoch ms on the charts' time axis. */
  time: number;
  kind: string;
  text: string;
  /** Null: the system (an alert). */
  created_by: number | null;
  created_by_name: string | null;
  rule_id: number | null;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  orders: OrdersTable;
  notifications: NotificationsTable;
  notification_events: NotificationEventsTable;
  rooms: RoomsTable;
  room_members: RoomMembersTable;
  chat_messages: ChatMessagesTable;
  dashboard_history: DashboardHistoryTable;
  alert_rules: AlertRulesTable;
  alert_events: AlertEventsTable;
  annotations: AnnotationsTable;
}
