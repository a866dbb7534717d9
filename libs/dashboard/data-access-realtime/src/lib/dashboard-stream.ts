import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';

import { DASHBOARD_EVENTS, type DashboardEvent } from '@realtime/contracts';

import type { ConnectionState } from './connection-state';
import { SharedStreams, createSharedSseConnection } from './shared-streams';
import type { SseRawEvent, StreamMessage } from './sse-connection';
import { DASHBOARD_CHANNEL } from './stream-channels';

export const DASHBOARD_STREAM_URL = DASHBOARD_CHANNEL.url;

/** A dashboard event and the local time it arrived (for the latency panel). */
export type ReceivedDashboardEvent = DashboardEvent & { receivedAt: number };

export function parseDashboardEvent(raw: SseRawEvent): ReceivedDashboardEvent | null {
  const known: string[] = [DASHBOARD_EVENTS.metrics, DASHBOARD_EVENTS.reset, DASHBOARD_EVENTS.annotation];
  if (!known.includes(raw.event)) return null;
  try {
    const data = JSON.parse(raw.data);
    if (!data || typeof data !== 'object') return null;
    return { type: raw.event, id: raw.id, data, receivedAt: raw.receivedAt } as ReceivedDashboardEvent;
  } catch {
    return null;
  }
}

/**
 * The dashboard stream (`GET /api/dashboard/stream`): one EventSource per browser, held by one
 * tab and relayed to the others ({@link SharedStreams}). A tab that joins gets the newest
 * `metrics` at once, as if it had opened the stream itself.
 */
@Injectable({ providedIn: 'root' })
export class DashboardStream {
  private readonly connection = createSharedSseConnection<ReceivedDashboardEvent>(
    inject(SharedStreams).channel(DASHBOARD_CHANNEL),
    parseDashboardEvent,
  );

  readonly messages$: Observable<StreamMessage<ReceivedDashboardEvent>> = this.connection.messages$;
  readonly state$: Observable<ConnectionState> = this.connection.state$;

  reconnect(): void {
    this.connection.reconnect();
  }
}
