import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';

import { DASHBOARD_EVENTS, type DashboardEvent } from '@realtime/contracts';

import type { ConnectionState } from './connection-state';
import { EVENT_SOURCE_FACTORY, SESSION_CHECK } from './event-source';
import { ONLINE_STATUS } from './online-status';
import { BACKOFF_POLICY, CLOCK, REALTIME_SCHEDULER } from './realtime-config';
import { type SseRawEvent, type StreamMessage, createSseConnection } from './sse-connection';

export const DASHBOARD_STREAM_URL = '/api/dashboard/stream';

/** A dashboard event and the local time it arrived (for the latency panel). */
export type ReceivedDashboardEvent = DashboardEvent & { receivedAt: number };

export function parseDashboardEvent(raw: SseRawEvent): ReceivedDashboardEvent | null {
  if (raw.event !== DASHBOARD_EVENTS.metrics && raw.event !== DASHBOARD_EVENTS.reset) return null;
  try {
    const data = JSON.parse(raw.data);
    if (!data || typeof data !== 'object') return null;
    return { type: raw.event, id: raw.id, data, receivedAt: raw.receivedAt } as ReceivedDashboardEvent;
  } catch {
    return null;
  }
}

/** The dashboard stream (`GET /api/dashboard/stream`): one EventSource per tab, shared. */
@Injectable({ providedIn: 'root' })
export class DashboardStream {
  private readonly connection = createSseConnection<ReceivedDashboardEvent>({
    url: DASHBOARD_STREAM_URL,
    events: Object.values(DASHBOARD_EVENTS),
    parse: parseDashboardEvent,
    factory: inject(EVENT_SOURCE_FACTORY),
    checkSession: inject(SESSION_CHECK),
    online$: inject(ONLINE_STATUS),
    policy: inject(BACKOFF_POLICY),
    scheduler: inject(REALTIME_SCHEDULER),
    clock: inject(CLOCK),
  });

  readonly messages$: Observable<StreamMessage<ReceivedDashboardEvent>> = this.connection.messages$;
  readonly state$: Observable<ConnectionState> = this.connection.state$;

  reconnect(): void {
    this.connection.reconnect();
  }
}
