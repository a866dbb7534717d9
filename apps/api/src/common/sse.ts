import type { MessageEvent } from '@nestjs/common';
import {
  EMPTY,
  Observable,
  Subject,
  concat,
  defer,
  interval,
  map,
  merge,
  of,
  takeUntil,
  tap,
  timer,
} from 'rxjs';

/** A comment line (`: heartbeat`): keeps proxies from closing an idle stream; clients ignore it. */
export const HEARTBEAT = { comment: 'heartbeat' } as MessageEvent;

/**
 * Characters of events held for one SSE client that does not read (past the socket buffers)
 * before its connection is dropped: ~1000 dashboard ticks or ~400 maximal notifications.
 * The client reconnects with Last-Event-ID and resumes from the database or the tick ring, so
 * a slow reader costs the server at most this much, and never slows the others.
 */
export const SSE_MAX_PENDING_CHARS = 1024 * 1024;

/**
 * Fires once when the process begins a graceful shutdown: every open stream ends, so its
 * client reconnects (after the `retry:` it was given) to another or the restarted instance.
 */
export const streamsShutdown$ = new Subject<void>();

/**
 * The last message of a stream ended by a shutdown: come back after `retryMs`. It repeats the
 * id of the last event sent, as Nest would number a message without one (and an `id:` line
 * moves the client's Last-Event-ID even when no event is dispatched).
 */
export const goingAway = (retryMs: number, lastId: string): MessageEvent => ({
  id: lastId,
  retry: retryMs,
  comment: 'server shutting down, reconnect',
});

export interface StreamOptions {
  heartbeatMs: number;
  /** Sent as the `retry:` field with the first event: how long a client waits before reconnecting. */
  retryMs: number;
  /** Token expiry, epoch seconds: the stream ends then, and the client must sign in again. */
  expiresAt?: number;
  /** Runs on subscribe; the function it returns runs when the client goes away. */
  onOpen?: () => () => void;
}

/**
 * Wraps a stream's events with what every SSE endpoint needs: `retry:` on the first event,
 * heartbeats, an end at token expiry, and a teardown that runs however the stream ends.
 * Every event must carry an `id`: Nest numbers events without one, which would reset the
 * client's Last-Event-ID.
 */
export function sseStream(
  events$: Observable<MessageEvent>,
  options: StreamOptions,
): Observable<MessageEvent> {
  return new Observable<MessageEvent>((subscriber) => {
    const release = options.onOpen?.();
    let first = true;
    let lastId: string | undefined;
    let shuttingDown = false;
    let out$ = merge(
      events$.pipe(
        map((event) => {
          if (event.id !== undefined) lastId = String(event.id);
          if (!first) return event;
          first = false;
          return { ...event, retry: options.retryMs };
        }),
      ),
      interval(options.heartbeatMs).pipe(map(() => HEARTBEAT)),
    ).pipe(
      // On shutdown the stream ends with a comment and a `retry:` again: when to come back.
      takeUntil(streamsShutdown$.pipe(tap(() => (shuttingDown = true)))),
      (source) =>
        concat(
          source,
          defer(() =>
            shuttingDown && lastId !== undefined ? of(goingAway(options.retryMs, lastId)) : EMPTY,
          ),
        ),
    );
    if (options.expiresAt) {
      out$ = out$.pipe(takeUntil(timer(Math.max(0, options.expiresAt * 1000 - Date.now()))));
    }
    const subscription = out$.subscribe(subscriber);
    return () => {
      subscription.unsubscribe();
      release?.();
    };
  });
}
