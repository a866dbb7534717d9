import { Injectable, InjectionToken, inject } from '@angular/core';
import { type Observable, defer } from 'rxjs';

import type { ConnectionState } from './connection-state';
import { EVENT_SOURCE_FACTORY, SESSION_CHECK } from './event-source';
import { ONLINE_STATUS } from './online-status';
import { PAGE_ACTIVE } from './page-lifecycle';
import { BACKOFF_POLICY, CLOCK, REALTIME_SCHEDULER } from './realtime-config';
import { type SseConnection, type SseRawEvent, toStreamMessages } from './sse-connection';
import { COMBINED_STREAM } from './stream-channels';
import { BROADCAST_CHANNEL_FACTORY, TAB_ELECTOR, TAB_ID } from './tab-election';
import { type SharedChannel, type SharedChannelSpec, type TabHub, createTabHub } from './tab-hub';

/**
 * Who the streams belong to, read when they open: tabs share streams only with tabs of the same
 * scope, so two users signed in in two tabs of one browser never see each other's events. The
 * app provides the signed-in user's id.
 */
export const SHARED_STREAMS_SCOPE = new InjectionToken<() => string>('SHARED_STREAMS_SCOPE', {
  providedIn: 'root',
  factory: () => () => 'anonymous',
});

/**
 * The browser-wide streams of this origin ({@link createTabHub}), one hub per scope. Services
 * ask for a channel; the stores above them see the same `SseConnection` as before.
 */
@Injectable({ providedIn: 'root' })
export class SharedStreams {
  private readonly scope = inject(SHARED_STREAMS_SCOPE);
  private readonly hubs = new Map<string, TabHub>();
  private readonly options = {
    tabId: inject(TAB_ID),
    elector: inject(TAB_ELECTOR),
    channels: inject(BROADCAST_CHANNEL_FACTORY),
    combined: inject(COMBINED_STREAM),
    eventSources: inject(EVENT_SOURCE_FACTORY),
    checkSession: inject(SESSION_CHECK),
    online$: inject(ONLINE_STATUS),
    active$: inject(PAGE_ACTIVE),
    policy: inject(BACKOFF_POLICY),
    scheduler: inject(REALTIME_SCHEDULER),
    clock: inject(CLOCK),
  };

  /** The hub of the current scope. */
  hub(): TabHub {
    const key = `rt.streams.${this.scope()}`;
    let hub = this.hubs.get(key);
    if (!hub) {
      hub = createTabHub({ ...this.options, key });
      this.hubs.set(key, hub);
    }
    return hub;
  }

  /** Whether this tab holds the browser's streams now (for the page's `data-holds-streams`). */
  readonly leading$: Observable<boolean> = defer(() => this.hub().leading$);

  /** A stream shared with the other tabs; the scope is read on every subscribe. */
  channel(spec: SharedChannelSpec): SharedChannel {
    return {
      messages$: defer(() => this.hub().channel(spec).messages$),
      state$: defer(() => this.hub().channel(spec).state$),
      reconnect: () => this.hub().channel(spec).reconnect(),
    };
  }
}

/** {@link createSseConnection}'s shape over a channel shared by the browser's tabs. */
export function createSharedSseConnection<T>(
  channel: SharedChannel,
  parse: (event: SseRawEvent) => T | null,
): SseConnection<T> {
  const state$: Observable<ConnectionState> = channel.state$;
  return {
    messages$: channel.messages$.pipe(toStreamMessages(parse)),
    state$,
    reconnect: () => channel.reconnect(),
  };
}
