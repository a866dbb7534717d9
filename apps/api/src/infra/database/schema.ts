import type { Generated } from 'kysely';

// Times are epoch milliseconds in BIGINT/INTEGER columns: one representation on both
// SQLite and PostgreSQL, cheap to compare, converted to ISO strings at the edge.
export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  created_at: number;
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
}

export interface RoomMembersTable {
  room_id: string;
  user_id: number;
  joined_at: number;
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

export interface Database {
  users: UsersTable;
  orders: OrdersTable;
  notifications: NotificationsTable;
  notification_events: NotificationEventsTable;
  rooms: RoomsTable;
  room_members: RoomMembersTable;
  chat_messages: ChatMessagesTable;
  dashboard_history: DashboardHistoryTable;
}
