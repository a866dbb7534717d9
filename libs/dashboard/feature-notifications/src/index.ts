// The shell imports the bell and the toasts eagerly; the page stays in its own lazy chunk
// (it brings forms and the ui lib, whose chart registers itself), so it is only loaded here.
export * from './lib/notification-bell';
export * from './lib/notification-toasts';

export const loadNotificationsPage = () =>
  import('./lib/notifications-page').then((m) => m.NotificationsPage);
