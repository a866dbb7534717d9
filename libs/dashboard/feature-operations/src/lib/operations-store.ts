import { Injectable, InjectionToken, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { map, merge, scan } from 'rxjs';

import type { InstancesResponse } from '@realtime/contracts';
import {
  type ConnectionState,
  OPS_CHANNEL,
  type SseConnection,
  type SseRawEvent,
  SharedStreams,
  createSharedSseConnection,
} from '@realtime/dashboard/data-access-realtime';

/** An `instances` event's list, or null for anything else. */
export function parseInstances(raw: SseRawEvent): InstancesResponse | null {
  if (raw.event !== 'instances') return null;
  try {
    const data = JSON.parse(raw.data) as InstancesResponse;
    return data && Array.isArray(data.instances) ? data : null;
  } catch {
    return null;
  }
}

/**
 * The `ops` channel of the browser's one stream ({@link OPS_CHANNEL}): subscribing makes this tab
 * want it, so the leading tab's EventSource carries it while some operations page is open.
 */
export const OPS_CONNECTION = new InjectionToken<SseConnection<InstancesResponse>>('OPS_CONNECTION', {
  providedIn: 'root',
  factory: () => createSharedSseConnection(inject(SharedStreams).channel(OPS_CHANNEL), parseInstances),
});

/** The page's state: the last list (kept on screen while the stream is down) and why it is down. */
export interface OperationsView {
  loading: boolean;
  data: InstancesResponse | null;
  error: string | null;
  canReconnect: boolean;
}

/** What the user reads about the stream; null while it is live or starting. */
export function describeOpsConnection(state: ConnectionState): string | null {
  switch (state.kind) {
    case 'reconnecting':
      return `Live updates lost, reconnecting (attempt ${state.attempt} of ${state.maxAttempts}): ${state.reason}`;
    case 'disconnected':
      return `Live updates stopped: ${state.reason}`;
    case 'offline':
      return 'You are offline: the instances shown may be out of date.';
    case 'unauthorized':
      return 'Your session has ended: sign in again to see the instances.';
    default:
      return null;
  }
}

/**
 * The operations page's store, one per page: the cluster's instances, live over the shared
 * stream (a snapshot at once, the whole list again after every change). Provided by the page,
 * so leaving it lets the channel go.
 */
@Injectable()
export class OperationsStore {
  private readonly connection = inject(OPS_CONNECTION);

  readonly view = toSignal(
    merge(
      this.connection.messages$.pipe(
        map(
          (m) =>
            (view: OperationsView): OperationsView =>
              m.kind === 'event' ? { ...view, loading: false, data: m.value } : view,
        ),
      ),
      this.connection.state$.pipe(
        map((state) => (view: OperationsView): OperationsView => {
          const error = describeOpsConnection(state);
          return {
            ...view,
            // A stream that cannot start is not loading any more: say why instead.
            loading: view.loading && !error,
            error,
            canReconnect: state.kind === 'disconnected',
          };
        }),
      ),
    ).pipe(scan((view: OperationsView, change) => change(view), INITIAL)),
    { initialValue: INITIAL },
  );

  reconnect(): void {
    this.connection.reconnect();
  }
}

const INITIAL: OperationsView = { loading: true, data: null, error: null, canReconnect: false };
