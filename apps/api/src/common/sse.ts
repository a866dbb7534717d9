import type { IncomingMessage, ServerResponse } from 'node:http';

import type { LoggerService, MessageEvent } from '@nestjs/common';
import { Observable, Subject, Subscription, interval, map, share, timer } from 'rxjs';

/** A comment line (`: heartbeat`): keeps proxies from closing an idle stream; clients ignore it. */
export const HEARTBEAT = { comment: 'heartbeat' } as MessageEvent;

/** One timer per period for every open stream, not one per stream: 10,000 streams, one timer. */
const heartbeatsByPeriod = new Map<number, Observable<MessageEvent>>();

function heartbeats(periodMs: number): Observable<MessageEvent> {
  let beats = heartbeatsByPeriod.get(periodMs);
  if (!beats) {
    beats = interval(periodMs).pipe(
      map(() => HEARTBEAT),
      share(), // stops the timer when the last stream goes, starts it again with the next
    );
    heartbeatsByPeriod.set(periodMs, beats);
  }
  return beats;
}

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
    // One subscriber per source instead of an operator chain (merge, map, takeUntil …): every
    // tick passes through here once per open stream, so each hop counts (docs/benchmarks.md).
    const subscription = new Subscription();
    let lastId: string | undefined;
    const end = () => subscriber.complete();
    // On shutdown the stream ends with a comment and a `retry:` again: when to come back.
    subscription.add(
      streamsShutdown$.subscribe(() => {
        if (lastId !== undefined) subscriber.next(goingAway(options.retryMs, lastId));
        end();
      }),
    );
    if (options.expiresAt) {
      subscription.add(timer(Math.max(0, options.expiresAt * 1000 - Date.now())).subscribe(end));
    }
    let first = true;
    subscription.add(
      events$.subscribe({
        next: (event) => {
          if (event.id !== undefined) lastId = String(event.id);
          if (!first) return subscriber.next(event);
          first = false;
          subscriber.next({ ...event, retry: options.retryMs });
        },
        error: (err: unknown) => subscriber.error(err),
        // Like a merge with the endless heartbeats: the events ending alone does not end the stream.
      }),
    );
    subscription.add(heartbeats(options.heartbeatMs).subscribe((beat) => subscriber.next(beat)));
    return () => {
      subscription.unsubscribe();
      release?.();
    };
  });
}

/** The wire form of each event object, built once: a tick shared by every stream is framed once. */
const framed = new WeakMap<MessageEvent, string>();

const oneLine = (value: unknown) => String(value).replace(/[\r\n]/g, '');
const fieldLines = (prefix: string, value: string) =>
  value
    .split(/\r\n|\r|\n/)
    .map((line) => `${prefix}${line}\n`)
    .join('');

/** `event:`, `id:`, `retry:`, comment and `data:` lines, as Nest's SseStream writes them. */
export function frameEvent(event: MessageEvent): string {
  let text = framed.get(event);
  if (text !== undefined) return text;
  text = '';
  if (event.type) text += `event: ${oneLine(event.type)}\n`;
  if (event.id != null) text += `id: ${oneLine(event.id)}\n`;
  if (event.retry != null) text += `retry: ${oneLine(event.retry)}\n`;
  if (event.comment != null) text += fieldLines(': ', String(event.comment));
  if (event.data != null) {
    text += fieldLines(
      'data: ',
      typeof event.data === 'object' ? JSON.stringify(event.data) : String(event.data),
    );
  }
  text += '\n';
  framed.set(event, text);
  return text;
}

export interface SseResponseOptions {
  /** Bytes that may wait for a client that does not read before its connection is dropped. */
  maxPendingBytes: number;
  logger?: LoggerService;
}

/**
 * Writes `events$` to `res` as an event stream, each event as its pre-framed string. Nest's
 * `@Sse()` pipeline costs per event and per subscriber an object-mode Transform, a string
 * rebuilt from the event's fields, a promise and a `nextTick`; with thousands of streams that
 * was most of the CPU of a tick (docs/benchmarks.md). Here a tick costs one `res.write` per
 * stream. A client that stops reading is dropped once `maxPendingBytes` wait for it, and the
 * heartbeats, being writes, notice a client that left without closing.
 */
export function writeSse(
  req: IncomingMessage,
  res: ServerResponse,
  events$: Observable<MessageEvent>,
  options: SseResponseOptions,
): void {
  // The body runs until the connection closes, as an SSE stream never ends otherwise: without
  // chunked framing each event is one buffer, not three (length, data, CRLF) per write.
  res.removeHeader('Content-Length');
  res.removeHeader('Transfer-Encoding');
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
    Connection: 'close',
    Pragma: 'no-cache',
    Expires: '0',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  req.socket.setKeepAlive(true);
  req.socket.setNoDelay(true);
  req.socket.setTimeout(0);
  let closed = false;
  // Unsubscribing a closed Subscription's additions runs them at once: a close during the
  // synchronous first events still tears the producer down.
  const subscription = new Subscription();
  res.once('close', () => {
    closed = true;
    subscription.unsubscribe();
  });
  subscription.add(
    events$.subscribe({
      next: (event) => {
        if (closed) return;
        // writableNeedDrain first: a cheap flag, while writableLength adds up buffers.
        if (res.writableNeedDrain && res.writableLength > options.maxPendingBytes) {
          options.logger?.warn?.(
            `Dropping an SSE client that is not reading: ${res.writableLength} bytes are waiting for it`,
          );
          res.destroy();
          return;
        }
        res.write(frameEvent(event));
      },
      error: (err: unknown) => {
        options.logger?.error?.(err instanceof Error ? (err.stack ?? err.message) : String(err));
        if (!closed) res.end(frameEvent({ type: 'error', data: 'Internal server error' }));
      },
      complete: () => {
        if (!closed) res.end();
      },
    }),
  );
}
