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

export interface Database {
  users: UsersTable;
  orders: OrdersTable;
  notifications: NotificationsTable;
  notification_events: NotificationEventsTable;
  rooms: RoomsTable;
  room_members: RoomMembersTable;
  chat_messages: ChatMessagesTable;
}
