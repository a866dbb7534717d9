import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';

import type { NotificationEvent } from '@realtime/contracts';
import {
  type ConnectionState,
  NOTIFICATIONS_CHANNEL,
  SharedStreams,
  type SseRawEvent,
  type StreamMessage,
  createSharedSseConnection,
} from '@realtime/dashboard/data-access-realtime';

export const NOTIFICATION_STREAM_URL = NOTIFICATIONS_CHANNEL.url;
const EVENTS = NOTIFICATIONS_CHANNEL.events;

export function parseNotificationEvent(raw: SseRawEvent): NotificationEvent | null {
  if (!EVENTS.includes(raw.event)) return null;
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
    inject(SharedStreams).channel(NOTIFICATIONS_CHANNEL),
    parseNotificationEvent,
  );

  readonly messages$: Observable<StreamMessage<NotificationEvent>> = this.connection.messages$;
  readonly state$: Observable<ConnectionState> = this.connection.state$;

  reconnect(): void {
    this.connection.reconnect();
  }
}
