import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { MessageEvent } from '@nestjs/common';
import { Subject } from 'rxjs';

import { HEARTBEAT, frameEvent, goingAway, sseStream, streamsShutdown$, writeSse } from './sse';

describe('sseStream', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('adds retry to the first event only, interleaves heartbeats and releases on unsubscribe', () => {
    const source = new Subject<MessageEvent>();
    const release = jest.fn();
    const got: MessageEvent[] = [];
    const sub = sseStream(source, { heartbeatMs: 1000, retryMs: 3000, onOpen: () => release }).subscribe(
      (e) => got.push(e),
    );
    source.next({ id: '1', type: 'metrics', data: 'a' });
    jest.advanceTimersByTime(1000);
    source.next({ id: '2', type: 'metrics', data: 'b' });
    expect(got).toEqual([
      { id: '1', type: 'metrics', data: 'a', retry: 3000 },
      HEARTBEAT,
      { id: '2', type: 'metrics', data: 'b' },
    ]);
    expect(release).not.toHaveBeenCalled();
    sub.unsubscribe();
    expect(release).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(5000);
    expect(got).toHaveLength(3);
  });

  it('completes when the token expires and still releases', () => {
    const release = jest.fn();
    let completed = false;
    sseStream(new Subject<MessageEvent>(), {
      heartbeatMs: 60_000,
      retryMs: 1000,
      expiresAt: Math.floor(Date.now() / 1000) + 2,
      onOpen: () => release,
    }).subscribe({ complete: () => (completed = true) });
    jest.advanceTimersByTime(1000);
    expect(completed).toBe(false);
    jest.advanceTimersByTime(2000);
    expect(completed).toBe(true);
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('ends at shutdown with a retry: goodbye that repeats the last id', () => {
    const source = new Subject<MessageEvent>();
    const got: MessageEvent[] = [];
    let completed = false;
    sseStream(source, { heartbeatMs: 60_000, retryMs: 3000 }).subscribe({
      next: (e) => got.push(e),
      complete: () => (completed = true),
    });
    source.next({ id: '7', type: 'metrics', data: 'a' });
    streamsShutdown$.next();
    expect(completed).toBe(true);
    expect(got.at(-1)).toEqual(goingAway(3000, '7'));
    expect(got.at(-1)).toEqual({ id: '7', retry: 3000, comment: 'server shutting down, reconnect' });
  });

  it('sends no goodbye when it had sent no event (nothing to repeat as the last id)', () => {
    const got: MessageEvent[] = [];
    sseStream(new Subject<MessageEvent>(), { heartbeatMs: 60_000, retryMs: 3000 }).subscribe((e) =>
      got.push(e),
    );
    streamsShutdown$.next();
    expect(got).toEqual([]);
  });
});

describe('frameEvent', () => {
  it('writes the fields in the order Nest does, one data line per line, and a blank line', () => {
    expect(frameEvent({ type: 'metrics', id: '7', retry: 3000, data: '{"a":1}' })).toBe(
      'event: metrics\nid: 7\nretry: 3000\ndata: {"a":1}\n\n',
    );
    expect(frameEvent({ data: 'a\nb' } as MessageEvent)).toBe('data: a\ndata: b\n\n');
    expect(frameEvent(HEARTBEAT)).toBe(': heartbeat\n\n');
    expect(frameEvent({ type: 'x\ny', id: '1\r', data: { n: 1 } })).toBe(
      'event: xy\nid: 1\ndata: {"n":1}\n\n',
    );
  });

  it('frames an event object once, however many streams write it', () => {
    const event: MessageEvent = { type: 'metrics', id: '1', data: 'x' };
    const first = frameEvent(event);
    event.data = 'changed after framing';
    expect(frameEvent(event)).toBe(first);
  });
});

class FakeResponse extends EventEmitter {
  headers: Record<string, string> | undefined;
  written: string[] = [];
  ended = false;
  destroyed = false;
  writableLength = 0;
  writableNeedDrain = false;
  writeHead(_status: number, headers: Record<string, string>) {
    this.headers = headers;
  }
  flushHeaders = () => undefined;
  removeHeader = () => undefined;
  write(chunk: string) {
    this.written.push(chunk);
    return true;
  }
  end(chunk?: string) {
    if (chunk) this.written.push(chunk);
    this.ended = true;
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('writeSse', () => {
  const noop = () => undefined;
  const req = {
    socket: { setKeepAlive: noop, setNoDelay: noop, setTimeout: noop },
  } as unknown as IncomingMessage;
  const open = (events$: Subject<MessageEvent>, maxPendingBytes = 1000) => {
    const res = new FakeResponse();
    writeSse(req, res as unknown as ServerResponse, events$, { maxPendingBytes });
    return res;
  };

  it('sends the stream headers and each event as its frame; ends when the events complete', () => {
    const events$ = new Subject<MessageEvent>();
    const res = open(events$);
    expect(res.headers).toMatchObject({ 'Content-Type': 'text/event-stream', 'X-Accel-Buffering': 'no' });
    events$.next({ type: 'metrics', id: '1', data: 'a' });
    events$.next(HEARTBEAT);
    events$.complete();
    expect(res.written).toEqual(['event: metrics\nid: 1\ndata: a\n\n', ': heartbeat\n\n']);
    expect(res.ended).toBe(true);
  });

  it('unsubscribes when the response closes', () => {
    const events$ = new Subject<MessageEvent>();
    const res = open(events$);
    expect(events$.observed).toBe(true);
    res.emit('close');
    expect(events$.observed).toBe(false);
  });

  it('drops a client that does not read once too much waits for it', () => {
    const events$ = new Subject<MessageEvent>();
    const res = open(events$, 100);
    res.writableLength = 101;
    res.writableNeedDrain = true;
    events$.next({ type: 'metrics', id: '1', data: 'a' });
    expect(res.destroyed).toBe(true);
    expect(res.written).toEqual([]);
    expect(events$.observed).toBe(false);
  });
});
