import { type Observable, type OperatorFunction, type SchedulerLike, filter, map, share, tap } from 'rxjs';

import type { BackoffPolicy } from './backoff';
import type { ConnectionState } from './connection-state';
import {
  type EventSourceFactory,
  type SessionCheck,
  SessionRejectedError,
  type SseMessage,
  StreamLostError,
  fromEventSource,
} from './event-source';
import { managedConnection } from './managed-connection';

export type SseRawEvent = Extract<SseMessage, { type: 'event' }>;

/** What a connection emits: `open` after every (re)connection, then parsed events. */
export type StreamMessage<T> = { kind: 'open'; resumed: boolean } | { kind: 'event'; value: T };

export interface SseConnectionOptions<T> {
  url: string;
  events: readonly string[];
  /** Runs once per event, before the fan-out; `null` drops the event. */
  parse: (event: SseRawEvent) => T | null;
  factory: EventSourceFactory;
  /** Asked when the server refuses the stream: is it the session? (see {@link SESSION_CHECK}) */
  checkSession?: SessionCheck;
  online$: Observable<boolean>;
  policy: BackoffPolicy;
  scheduler: SchedulerLike;
  clock: () => number;
  random?: () => number;
}

export interface SseConnection<T> {
  /** Subscribing opens the one shared connection; the last unsubscribe closes it. */
  readonly messages$: Observable<StreamMessage<T>>;
  /** The connection state; watching it also keeps the connection open. */
  readonly state$: Observable<ConnectionState>;
  /** Starts again after giving up (resets the attempt count). */
  reconnect(): void;
}

/** Adds `lastEventId` for a hand-made reconnect; the native header is only sent by the browser's own retry. */
export function withLastEventId(url: string, lastEventId: string | null): string {
  if (!lastEventId) return url;
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}lastEventId=${encodeURIComponent(lastEventId)}`;
}

/** What the user reads about a lost stream. */
export function describeStreamError(error: unknown): string {
  return error instanceof StreamLostError ? error.message : "Can't reach the server.";
}

/**
 * One EventSource behind a shared, cold Observable ({@link managedConnection}). It reconnects
 * by hand with `?lastEventId=` so that nothing is missed, gives up after the policy's attempts
 * until `reconnect()`, and pauses while the browser is offline.
 */
export function createSseConnection<T>(options: SseConnectionOptions<T>): SseConnection<T> {
  let lastEventId: string | null = null;
  const connection = managedConnection<SseMessage>({
    connect: () =>
      fromEventSource(
        withLastEventId(options.url, lastEventId),
        options.events,
        options.factory,
        options.clock,
        options.checkSession,
      ).pipe(
        tap((m) => {
          if (m.type !== 'open' && m.id) lastEventId = m.id;
        }),
      ),
    isOpen: (m) => m.type === 'open',
    describe: describeStreamError,
    // The check already reported the refusal to the auth store; the stream only stops retrying.
    isSessionRejected: (e) => e instanceof SessionRejectedError,
    online$: options.online$,
    policy: options.policy,
    scheduler: options.scheduler,
    clock: options.clock,
    random: options.random,
  });

  const messages$ = connection.messages$.pipe(toStreamMessages(options.parse));

  return { messages$, state$: connection.state$, reconnect: () => connection.reconnect() };
}

/**
 * Raw messages of one connection (own or shared) → what the stores read: `open` with whether it
 * is a reconnection, then the parsed events (parsed once, before the fan-out).
 */
export function toStreamMessages<T>(
  parse: (event: SseRawEvent) => T | null,
): OperatorFunction<SseMessage, StreamMessage<T>> {
  let openedBefore = false;
  return (source) =>
    source.pipe(
      map((m): StreamMessage<T> | null => {
        if (m.type === 'open') {
          const resumed = openedBefore;
          openedBefore = true;
          return { kind: 'open', resumed };
        }
        const value = parse(m);
        return value === null ? null : { kind: 'event', value };
      }),
      filter((m): m is StreamMessage<T> => m !== null),
      share(),
    );
}
