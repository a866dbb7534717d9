import { InjectionToken } from '@angular/core';

import { DASHBOARD_EVENTS } from '@realtime/contracts';

import type { SharedChannelSpec } from './tab-hub';

/** `GET /api/dashboard/stream`; a tab that joins gets the newest `metrics` at once. */
export const DASHBOARD_CHANNEL: SharedChannelSpec = {
  name: 'dashboard',
  url: '/api/dashboard/stream',
  events: Object.values(DASHBOARD_EVENTS),
  latest: [DASHBOARD_EVENTS.metrics],
};

/**
 * `GET /api/notifications/stream`: the signed-in user's notifications, reads and deletions, and
 * the chat's unread increments (`chat-unread`, not stored: sent without an id, so its
 * `lastEventId` repeats the last stored one).
 */
export const NOTIFICATIONS_CHANNEL: SharedChannelSpec = {
  name: 'notifications',
  url: '/api/notifications/stream',
  events: ['connected', 'notification', 'notification-read', 'notification-deleted', 'chat-unread'],
  ephemeral: ['chat-unread'],
};

/**
 * `GET /api/stream?channels=ops` (admins): the cluster's instances, the whole list at once and
 * after every change. Carried on the browser's one stream only while an operations page is open
 * in some tab; a tab that joins gets the newest list at once.
 */
export const OPS_CHANNEL: SharedChannelSpec = {
  name: 'ops',
  url: '/api/stream?channels=ops',
  events: ['instances'],
  latest: ['instances'],
  onDemand: true,
};

/**
 * The API's one stream for several channels (`GET /api/stream`) and the channels the browser takes
 * from it: the tab that leads holds this one EventSource for all of them, from the first page that
 * wants any (null: one EventSource per channel, at its own endpoint).
 */
export const COMBINED_STREAM = new InjectionToken<{
  url: string;
  channels: readonly SharedChannelSpec[];
} | null>('COMBINED_STREAM', {
  providedIn: 'root',
  factory: () => ({ url: '/api/stream', channels: [DASHBOARD_CHANNEL, NOTIFICATIONS_CHANNEL, OPS_CHANNEL] }),
});
