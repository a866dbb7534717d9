import {
  BehaviorSubject,
  EMPTY,
  NEVER,
  Observable,
  type SchedulerLike,
  Subject,
  catchError,
  defer,
  distinctUntilChanged,
  filter,
  finalize,
  ignoreElements,
  map,
  merge,
  share,
  startWith,
  switchMap,
  tap,
} from 'rxjs';

import type { BackoffPolicy } from './backoff';
import type { ConnectionState } from './connection-state';
import { type EventSourceFactory, type SseMessage, StreamLostError, fromEventSource } from './event-source';
import { retryWithBackoff } from './retry-with-backoff';

export type SseRawEvent = Extract<SseMessage, { type: 'event' }>;

/** What a connection emits: `open` after every (re)connection, then parsed events. */
export type StreamMessage<T> = { kind: 'open'; resumed: boolean } | { kind: 'event'; value: T };

export interface SseConnectionOptions<T> {
  url: string;
  events: readonly string[];
  /** Runs once per event, before the fan-out; `null` drops the event. */
  parse: (event: SseRawEvent) => T | null;
  factory: EventSourceFactory;
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

function describe(error: unknown): string {
  return error instanceof StreamLostError ? error.message : "Can't reach the server.";
}

/**
 * One EventSource behind a shared, cold Observable. It reconnects by hand with
 * {@link retryWithBackoff} and `?lastEventId=` so that nothing is missed, gives up after the
 * policy's attempts until `reconnect()`, and pauses while the browser is offline.
 */
export function createSseConnection<T>(options: SseConnectionOptions<T>): SseConnection<T> {
  const { clock } = options;
  const state = new BehaviorSubject<ConnectionState>({ kind: 'idle' });
  const manual = new Subject<void>();
  let lastEventId: string | null = null;
  let openedBefore = false;

  const attempt$ = defer(() => {
    // Keep "reconnecting (attempt k)" on screen while the attempt is under way.
    if (state.value.kind !== 'reconnecting') state.next({ kind: 'connecting' });
    return fromEventSource(withLastEventId(options.url, lastEventId), options.events, options.factory, clock);
  }).pipe(
    tap((m) => {
      if (m.type === 'open') state.next({ kind: 'connected', since: clock() });
      else if (m.id) lastEventId = m.id;
    }),
    retryWithBackoff<SseMessage>({
      policy: options.policy,
      scheduler: options.scheduler,
      random: options.random,
      onRetry: (r) =>
        state.next({
          kind: 'reconnecting',
          attempt: r.attempt,
          maxAttempts: r.maxAttempts,
          retryAt: clock() + r.delayMs,
          reason: describe(r.error),
        }),
    }),
    catchError((error: unknown) => {
      state.next({ kind: 'disconnected', reason: describe(error) });
      return EMPTY;
    }),
  );

  const session$ = manual.pipe(
    startWith(undefined),
    switchMap(() => attempt$),
  );

  const shared$ = options.online$.pipe(
    distinctUntilChanged(),
    switchMap((online) => {
      if (online) return session$;
      state.next({ kind: 'offline' });
      return NEVER;
    }),
    map((m): StreamMessage<T> | null => {
      if (m.type === 'open') {
        const resumed = openedBefore;
        openedBefore = true;
        return { kind: 'open', resumed };
      }
      const value = options.parse(m);
      return value === null ? null : { kind: 'event', value };
    }),
    filter((m): m is StreamMessage<T> => m !== null),
    finalize(() => state.next({ kind: 'idle' })),
    share(),
  );

  return {
    messages$: shared$,
    state$: merge(shared$.pipe(ignoreElements()), state).pipe(distinctUntilChanged()),
    reconnect: () => manual.next(),
  };
}
