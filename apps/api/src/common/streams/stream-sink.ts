import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import type { LoggerService, MessageEvent } from '@nestjs/common';
import type { Observable, Subscriber } from 'rxjs';

import type { StreamObserver } from '../stream-observer';
import { HEARTBEAT, frameBytes, frameEvent, retryLine } from './sse-frame';

/** Where one stream's events go: an HTTP response, or an RxJS subscriber (tests, other transports). */
export interface StreamSink {
  /** Writes one event; `retryMs` is given with a stream's first one (its `retry:` line). */
  send(event: MessageEvent, retryMs?: number): void;
  heartbeat(): void;
  /** Ends the stream, after `last` if given (a goodbye). */
  end(last?: MessageEvent): void;
  /** Ends the stream after an error (logged, never shown to the client). */
  fail(err: unknown): void;
  /** `fn` runs once when the stream closes, whoever closed it (the client, a goodbye, an error). */
  onClose(fn: () => void): void;
  /** Runs `writes`, which sends several events at once; a sink may send them as one write. */
  together?(writes: () => void): void;
  readonly closed: boolean;
}

/**
 * Characters of events held for one SSE client that does not read (past the socket buffers)
 * before its connection is dropped: ~1000 dashboard ticks or ~400 maximal notifications.
 * The client reconnects with Last-Event-ID and resumes from the database or the tick ring, so
 * a slow reader costs the server at most this much, and never slows the others.
 */
export const SSE_MAX_PENDING_CHARS = 1024 * 1024;

/** Default for `SseResponseOptions.slowClientGraceMs`. */
export const SLOW_CLIENT_GRACE_MS = 5000;

export interface SseResponseOptions {
  /** Bytes that may wait for a client that does not read before its connection is dropped. */
  maxPendingBytes: number;
  /**
   * How long a client may stay backed up (not draining) past `maxPendingBytes` before it is
   * dropped: a resume that replays a large backlog in one burst is not a slow client.
   */
  slowClientGraceMs?: number;
  logger?: LoggerService;
  /** Told each write and a dropped slow reader, as a stream of `kind` (the metrics). */
  observer?: StreamObserver;
  kind?: string;
}

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
  Connection: 'close',
  Pragma: 'no-cache',
  Expires: '0',
  'X-Accel-Buffering': 'no',
  // The one header of helmet's that a stream's body needs (streams skip helmet: create-app.ts).
  'X-Content-Type-Options': 'nosniff',
} as const;

/** What a stream's bytes are written to: the response's socket once the headers are out. */
type StreamOut = Pick<NodeJS.WritableStream, 'write' | 'on'> & {
  readonly writableLength: number;
  readonly writableNeedDrain: boolean;
  cork?(): void;
  uncork?(): void;
};

/**
 * One SSE response, written directly: each event is one write of its frame, encoded once and
 * shared by every stream (Nest's `@Sse()` pipeline costs per event and stream an object-mode
 * Transform, a string rebuilt from the fields, a promise and a `nextTick`: docs/benchmarks.md).
 * A client that stops reading is dropped once `maxPendingBytes` wait for it and it has not
 * drained for `slowClientGraceMs`; heartbeats, being writes, notice a client that left without
 * closing.
 *
 * Once the headers are flushed, the body goes straight to the response's socket: the bytes are
 * the same (no chunked framing here), but `ServerResponse.write` costs per call a cork, a
 * `process.nextTick` to uncork and its own checks: `write_`, the `writableNeedDrain` getter
 * and `nextTick` were 9.0 % of the API's CPU samples at saturation (3,000 streams, 33,000
 * events/s; 17 % of its busy time), paid once per event and stream. A response without a
 * socket of its own (a unit test's fake) is written to as it is.
 */
export class HttpSink implements StreamSink {
  private isClosed = false;
  private readonly closeHandlers: Array<() => void> = [];
  private readonly graceMs: number;
  /** When the client last stopped keeping up (0: it keeps up); reset whenever it drains. */
  private backedUpSince = 0;
  private readonly out: StreamOut;

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly options: SseResponseOptions,
  ) {
    this.graceMs = options.slowClientGraceMs ?? SLOW_CLIENT_GRACE_MS;
    // The body runs until the connection closes, as an SSE stream never ends otherwise: without
    // chunked framing each event is one buffer, not three (length, data, CRLF) per write.
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    // The head and a first event written in this turn (a snapshot) leave in one write: the
    // head's own write was 13 % of the API's CPU samples while 3,000 streams connected.
    const socket = (res as { socket?: Socket | null }).socket;
    if (socket) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    req.socket.setKeepAlive(true);
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    this.out = (res as { socket?: StreamOut | null }).socket ?? res;
    this.out.on('drain', () => (this.backedUpSince = 0));
    res.once('close', () => this.closing());
    // A client that left while the request was authenticated: its response closed already.
    if (res.destroyed) this.closing();
  }
  get closed(): boolean {
    return this.isClosed;
  }

  onClose(fn: () => void): void {
    if (this.isClosed) fn();
    else this.closeHandlers.push(fn);
  }

  send(event: MessageEvent, retryMs?: number): void {
    if (retryMs === undefined) this.write(frameBytes(event));
    else this.write(retryLine(retryMs) + frameEvent(event));
  }

  heartbeat(): void {
    this.write(HEARTBEAT_BYTES);
  }

  /**
   * The events `writes` sends leave in one `writev`: a resumed stream's missed events (a
   * notification stream back after a restart gets dozens) were one system call each, and those
   * writes were ~5 % of the API's CPU samples in `npm run bench -- restart-storm`.
   */
  together(writes: () => void): void {
    const { cork, uncork } = this.out;
    if (this.isClosed || !cork || !uncork) return writes();
    cork.call(this.out);
    try {
      writes();
    } finally {
      uncork.call(this.out);
    }
  }

  end(last?: MessageEvent): void {
    if (this.isClosed) return;
    if (last) this.res.end(frameEvent(last));
    else this.res.end();
    // A response that ended is finished for us at once, even before its 'close'.
    this.closing();
  }

  fail(err: unknown): void {
    this.options.logger?.error?.(err instanceof Error ? (err.stack ?? err.message) : String(err));
    this.end({ type: 'error', data: 'Internal server error' });
  }

  private write(chunk: Buffer | string) {
    if (this.isClosed) return;
    const out = this.out;
    // writableNeedDrain first: a cheap flag, while writableLength adds up buffers.
    if (out.writableNeedDrain && out.writableLength > this.options.maxPendingBytes) {
      const now = Date.now();
      if (this.backedUpSince === 0) this.backedUpSince = now;
      if (now - this.backedUpSince >= this.graceMs) {
        this.options.logger?.warn?.(
          `Dropping an SSE client that is not reading: ${out.writableLength} bytes are waiting for it`,
        );
        this.res.destroy();
        this.options.observer?.slowReaderDropped(this.options.kind ?? 'other');
        this.closing();
        return;
      }
    }
    if (!out.write(chunk) && this.backedUpSince === 0) this.backedUpSince = Date.now();
    this.options.observer?.written(
      this.options.kind ?? 'other',
      typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length,
      chunk !== HEARTBEAT_BYTES,
    );
  }

  private closing() {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const fn of this.closeHandlers.splice(0)) fn();
  }
}

const HEARTBEAT_BYTES = frameBytes(HEARTBEAT);

/** A stream delivered as MessageEvent objects to an RxJS subscriber (the `retry` on the first). */
export class SubscriberSink implements StreamSink {
  private isClosed = false;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(private readonly subscriber: Subscriber<MessageEvent>) {}

  get closed(): boolean {
    return this.isClosed || this.subscriber.closed;
  }

  onClose(fn: () => void): void {
    if (this.isClosed) fn();
    else this.closeHandlers.push(fn);
  }

  send(event: MessageEvent, retryMs?: number): void {
    if (this.closed) return;
    this.subscriber.next(retryMs === undefined ? event : { ...event, retry: retryMs });
  }

  heartbeat(): void {
    if (!this.closed) this.subscriber.next(HEARTBEAT);
  }

  end(last?: MessageEvent): void {
    if (this.closed) return this.closing();
    if (last) this.subscriber.next(last);
    this.closing();
    this.subscriber.complete();
  }

  fail(err: unknown): void {
    if (this.closed) return this.closing();
    this.closing();
    this.subscriber.error(err);
  }

  /** The subscriber unsubscribed (the Observable's teardown). */
  closing() {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const fn of this.closeHandlers.splice(0)) fn();
  }
}

/**
 * Writes any Observable of events to `res` as an event stream (the fallback of `@EventStream()`
 * for streams that are not the hub's): the same writing, one subscription per stream.
 */
export function writeSse(
  req: IncomingMessage,
  res: ServerResponse,
  events$: Observable<MessageEvent>,
  options: SseResponseOptions,
): void {
  const sink = new HttpSink(req, res, options);
  const subscription = events$.subscribe({
    next: (event) => sink.send(event),
    error: (err: unknown) => sink.fail(err),
    complete: () => sink.end(),
  });
  // Unsubscribing a closed Subscription runs its teardown at once: a close during the
  // synchronous first events still tears the producer down.
  sink.onClose(() => subscription.unsubscribe());
  if (sink.closed) subscription.unsubscribe();
}
