export * from './lib/desktop-notifier';
export * from './lib/notification-list';
export * from './lib/notification-store';
export * from './lib/notification-stream';
export * from './lib/notifications-api';
export * from './lib/chat-unread-store';
