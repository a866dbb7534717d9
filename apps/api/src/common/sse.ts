import type { MessageEvent } from '@nestjs/common';
import { Observable, Subject, interval, map, merge, takeUntil, timer } from 'rxjs';

/** A comment line (`: heartbeat`): keeps proxies from closing an idle stream; clients ignore it. */
export const HEARTBEAT = { comment: 'heartbeat' } as MessageEvent;

/**
 * Fires once when the process begins a graceful shutdown: every open stream ends, so its
 * client reconnects (after the `retry:` it was given) to another or the restarted instance.
 */
export const streamsShutdown$ = new Subject<void>();

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
    let out$ = merge(
      events$.pipe(
        map((event) => {
          if (!first) return event;
          first = false;
          return { ...event, retry: options.retryMs };
        }),
      ),
      interval(options.heartbeatMs).pipe(map(() => HEARTBEAT)),
    ).pipe(takeUntil(streamsShutdown$));
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
