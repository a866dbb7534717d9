import type { CodedError } from './errors';

export const CHAT_NAMESPACE = '/chat';
export const DEFAULT_ROOMS = ['general', 'ops', 'sales'] as const;
export const CHAT_CONTENT_MAX = 2000;
export const CHAT_HISTORY_SIZE = 50;
export const TYPING_TTL_MS = 5000;
/** Page size of `GET /api/chat/rooms/:roomId/messages` when `limit` is not given, and its maximum. */
export const CHAT_PAGE_DEFAULT = 50;
export const CHAT_PAGE_MAX = 100;

/** Client → server event names of the `/chat` namespace; any other name gets `UNKNOWN_EVENT`. */
export const CHAT_CLIENT_EVENTS = ['join', 'leave', 'chat', 'typing', 'auth'] as const;
export type ChatClientEventName = (typeof CHAT_CLIENT_EVENTS)[number];

export interface JoinRequest {
  roomId: string;
}
export interface LeaveRequest {
  roomId: string;
}
export interface ChatSendRequest {
  roomId: string;
  content: string;
  clientId: string;
}
export interface TypingRequest {
  roomId: string;
  isTyping: boolean;
}
/** In-band token refresh: a socket whose token is about to expire sends a fresh one. */
export interface AuthRefreshRequest {
  token: string;
}

export interface ChatMessage {
  id: number;
  clientId: string;
  roomId: string;
  senderId: number;
  senderName: string;
  content: string;
  timestamp: number;
}

export interface RoomMember {
  userId: number;
  username: string;
  online: boolean;
}

export interface PresenceEvent {
  roomId: string;
  members: RoomMember[];
}

export interface TypingEvent {
  roomId: string;
  userId: number;
  username: string;
  isTyping: boolean;
}

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: CodedError };

export type JoinAck = Ack<{
  roomId: string;
  /** The last `CHAT_HISTORY_SIZE` messages, oldest first. */
  history: ChatMessage[];
  members: RoomMember[];
  /** `?before=` cursor for older messages than `history`; null when there are none. */
  nextCursor: string | null;
}>;
export type LeaveAck = Ack<{ roomId: string }>;
/** `duplicate: true` when the `clientId` was already stored: the stored message, not delivered again. */
export type ChatAck = Ack<{ message: ChatMessage; duplicate?: boolean }>;
export type TypingAck = Ack;
/** `expiresAt`: epoch seconds at which the socket is closed unless another token arrives. */
export type AuthRefreshAck = Ack<{ expiresAt: number }>;

export interface ChatMessagesPage {
  items: ChatMessage[];
  /** Pass as `?before=` for older messages; null when there are none. */
  nextCursor: string | null;
}

/** `public`: listed, anyone may join. `private`: members are invited; unseen by others. */
export const ROOM_KINDS = ['public', 'private'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];
/** Longest room name, in characters (code points). */
export const ROOM_NAME_MAX = 64;
/** Page size of `GET /api/chat/rooms` when `limit` is not given, and its maximum. */
export const ROOMS_PAGE_DEFAULT = 50;
export const ROOMS_PAGE_MAX = 100;

export interface RoomSummary {
  id: string;
  /** Display name; the room id for rooms created by `join` and the default rooms. */
  name: string;
  kind: RoomKind;
  /** Who created it; null for the default rooms. */
  ownerId: number | null;
  /** Epoch ms when the owner or an admin archived it: read-only from then on. */
  archivedAt: number | null;
  members: number;
  lastMessageAt: number | null;
  /** Whether the caller is a stored member of the room. */
  joined: boolean;
  /** Messages by others after the caller's last read one (0 when not a member). */
  unread: number;
}

export interface ChatRoomsResponse {
  rooms: RoomSummary[];
  /** Pass as `?cursor=` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** `POST /api/chat/rooms`. */
export interface CreateRoomRequest {
  name: string;
  kind: RoomKind;
}

/** `POST /api/chat/rooms/:roomId/members`: adds a user to the room (an invite). */
export interface InviteRequest {
  username: string;
}

/** `PUT /api/chat/rooms/:roomId/read`: messages up to this id have been read. */
export interface MarkReadRequest {
  messageId: number;
}

/** `GET /api/chat/unread`: unread counts of every room the caller is a member of. */
export interface ChatUnreadResponse {
  rooms: Record<string, number>;
}

/**
 * Notification-stream event `chat-unread` (a contract extension): new messages by others in
 * rooms the user is a member of since the previous such event, per room. Counts are
 * increments; a client takes the totals from `GET /api/chat/unread` when its stream (re)opens.
 */
export interface ChatUnreadEvent {
  rooms: Record<string, number>;
}

/**
 * Sent as an `error` event for every request the server cannot take, in addition to the
 * failed ack (a client that sent no ack callback still learns why), and for unknown events
 * and token expiry. `event` names the client event it answers, when there is one.
 */
export interface ChatErrorEvent extends CodedError {
  event?: string;
}

/** Server → client events of the `/chat` namespace. */
export interface ChatServerEvents {
  chat: (message: ChatMessage) => void;
  typing: (event: TypingEvent) => void;
  presence: (event: PresenceEvent) => void;
  error: (error: ChatErrorEvent) => void;
}

/** Client → server events of the `/chat` namespace; every one takes an ack callback. */
export interface ChatClientEvents {
  join: (request: JoinRequest, ack: (response: JoinAck) => void) => void;
  leave: (request: LeaveRequest, ack: (response: LeaveAck) => void) => void;
  chat: (request: ChatSendRequest, ack: (response: ChatAck) => void) => void;
  typing: (request: TypingRequest, ack: (response: TypingAck) => void) => void;
  auth: (request: AuthRefreshRequest, ack: (response: AuthRefreshAck) => void) => void;
}
