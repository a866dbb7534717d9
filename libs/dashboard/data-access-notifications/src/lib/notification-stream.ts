import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';

import type { NotificationEvent } from '@realtime/contracts';
import {
  type ConnectionState,
  SharedStreams,
  type SseRawEvent,
  type StreamMessage,
  createSharedSseConnection,
} from '@realtime/dashboard/data-access-realtime';

export const NOTIFICATION_STREAM_URL = '/api/notifications/stream';
const EVENTS = [
  'connected',
  'notification',
  'notification-read',
  'notification-deleted',
  // Unread chat increments ride this stream (the chat's unread store reads them).
  'chat-unread',
] as const;

export function parseNotificationEvent(raw: SseRawEvent): NotificationEvent | null {
  if (!(EVENTS as readonly string[]).includes(raw.event)) return null;
  try {
    const data: unknown = JSON.parse(raw.data);
    if (!data || typeof data !== 'object') return null;
    return { type: raw.event, id: raw.id, data } as NotificationEvent;
  } catch {
    return null;
  }
}

/**
 * `GET /api/notifications/stream` (the HttpOnly stream cookie authenticates it): one per
 * browser, held by one tab and relayed to the others ({@link SharedStreams}), with the same
 * backoff, resume and offline pause as the dashboard stream.
 */
@Injectable({ providedIn: 'root' })
export class NotificationStream {
  private readonly connection = createSharedSseConnection<NotificationEvent>(
    inject(SharedStreams).channel({
      name: 'notifications',
      url: NOTIFICATION_STREAM_URL,
      events: EVENTS,
      ephemeral: ['chat-unread'],
    }),
    parseNotificationEvent,
  );

  readonly messages$: Observable<StreamMessage<NotificationEvent>> = this.connection.messages$;
  readonly state$: Observable<ConnectionState> = this.connection.state$;

  reconnect(): void {
    this.connection.reconnect();
  }
}
