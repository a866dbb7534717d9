import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';

import type { NotificationEvent } from '@realtime/contracts';
import {
  BACKOFF_POLICY,
  CLOCK,
  type ConnectionState,
  EVENT_SOURCE_FACTORY,
  ONLINE_STATUS,
  REALTIME_SCHEDULER,
  SESSION_CHECK,
  type SseRawEvent,
  type StreamMessage,
  createSseConnection,
} from '@realtime/dashboard/data-access-realtime';

export const NOTIFICATION_STREAM_URL = '/api/notifications/stream';
const EVENTS = ['connected', 'notification', 'notification-read', 'notification-deleted'] as const;

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
 * `GET /api/notifications/stream` (the HttpOnly stream cookie authenticates it): the same
 * shared SSE connection as the dashboard stream, so the same backoff, resume and offline pause.
 */
@Injectable({ providedIn: 'root' })
export class NotificationStream {
  private readonly connection = createSseConnection<NotificationEvent>({
    url: NOTIFICATION_STREAM_URL,
    events: EVENTS,
    parse: parseNotificationEvent,
    factory: inject(EVENT_SOURCE_FACTORY),
    checkSession: inject(SESSION_CHECK),
    online$: inject(ONLINE_STATUS),
    policy: inject(BACKOFF_POLICY),
    scheduler: inject(REALTIME_SCHEDULER),
    clock: inject(CLOCK),
  });

  readonly messages$: Observable<StreamMessage<NotificationEvent>> = this.connection.messages$;
  readonly state$: Observable<ConnectionState> = this.connection.state$;

  reconnect(): void {
    this.connection.reconnect();
  }
}
