export const NOTIFICATION_TYPES = ['info', 'success', 'warning', 'error'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NOTIFICATION_TITLE_MAX = 200;
export const NOTIFICATION_MESSAGE_MAX = 2000;

export interface CreateNotificationRequest {
  /** The recipient's id (a username is accepted too). */
  userId: number | string;
  title: string;
  message: string;
  type?: NotificationType;
}

export interface Notification {
  id: number;
  userId: number;
  type: NotificationType;
  title: string;
  message: string;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationListResponse {
  items: Notification[];
  unreadCount: number;
  /** Pass as `?cursor=` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface NotificationConnected {
  userId: number;
  unreadCount: number;
}

export type NotificationEvent =
  | { type: 'connected'; id: string; data: NotificationConnected }
  | { type: 'notification'; id: string; data: Notification }
  | {
      type: 'notification-read';
      id: string;
      data: { ids: number[]; readAt: string };
    }
  | { type: 'notification-deleted'; id: string; data: { id: number } };
