import type { ChatUnreadEvent } from './chat';
export const NOTIFICATION_TYPES = ['info', 'success', 'warning', 'error'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NOTIFICATION_TITLE_MAX = 200;
export const NOTIFICATION_MESSAGE_MAX = 2000;

/** Page size of `GET /api/notifications` when `?limit=` is absent, and the largest one allowed. */
export const NOTIFICATION_PAGE_DEFAULT = 50;
export const NOTIFICATION_PAGE_MAX = 100;

/** Open `GET /api/notifications/stream` connections one user may hold; the next one gets a 429. */
export const NOTIFICATION_STREAMS_PER_USER = 20;

/**
 * Response headers of `GET /api/notifications`, whose body is the plain array the public
 * contract promises: the page metadata travels beside it (and in a `Link: <…>; rel="next"`).
 */
export const NOTIFICATION_HEADERS = {
  nextCursor: 'X-Next-Cursor',
  unreadCount: 'X-Unread-Count',
} as const;

export interface CreateNotificationRequest {
  /** The recipient's id (a username is accepted too). */
  userId: number | string;
  title: string;
  message: string;
  type?: NotificationType;
}

/** Who sent a notification: a user (or the owner of the API key used), or the system itself. */
export type NotificationSender = { id: number; username: string } | { system: true };

/** `POST /api/notifications/broadcast` (admin): one notification to every enabled user. */
export interface BroadcastNotificationRequest {
  title: string;
  message: string;
  type?: NotificationType;
}

export interface BroadcastNotificationResponse {
  /** How many users it was delivered to. */
  recipients: number;
}

export interface Notification {
  id: number;
  userId: number;
  type: NotificationType;
  title: string;
  message: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601, or null while unread. */
  readAt: string | null;
  sender: NotificationSender;
}

/** `?cursor=&limit=` of `GET /api/notifications` and `GET /api/notifications/page`. */
export interface NotificationListQuery {
  /** A `nextCursor` from the previous page: returns the notifications older than it. */
  cursor?: string;
  limit?: number;
}

/** `GET /api/notifications/page`: one page of `GET /api/notifications` with its metadata. */
export interface NotificationListResponse {
  items: Notification[];
  unreadCount: number;
  /** Pass as `?cursor=` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Data of a `notification-read` event, and the answer of `PUT /api/notifications/read-all`. */
export interface NotificationsRead {
  /** The notifications that this change marked read (none when all were read already). */
  ids: number[];
  /** ISO 8601. */
  readAt: string;
}

export interface NotificationDeleted {
  id: number;
}

export interface NotificationConnected {
  userId: number;
  /**
   * Unread notifications when the stream opened. On a resumed stream the replayed events
   * that follow are already counted here: take this value, then apply only events about
   * notifications the client does not know yet (or refetch the list).
   */
  unreadCount: number;
  /** The `Last-Event-ID` this stream resumes after (events after it follow), or null for a fresh start. */
  resumedFrom: string | null;
}

/**
 * Events of `GET /api/notifications/stream`. Every id but `connected`'s is the id of a stored
 * change, increasing per user, so `Last-Event-ID` resumes across reconnects and restarts.
 * `connected` carries the id the stream starts after: the user's latest event on a fresh
 * start, the `Last-Event-ID` on a resume.
 */
export type NotificationEvent =
  | { type: 'connected'; id: string; data: NotificationConnected }
  | { type: 'notification'; id: string; data: Notification }
  | { type: 'notification-read'; id: string; data: NotificationsRead }
  | { type: 'notification-deleted'; id: string; data: NotificationDeleted }
  /**
   * Not stored and never replayed: sent without an `id:` line, so a browser's `lastEventId`
   * repeats the last stored event's (the resume point stays where it was). See `ChatUnreadEvent`.
   */
  | { type: 'chat-unread'; id: string; data: ChatUnreadEvent };

export type NotificationEventType = NotificationEvent['type'];
