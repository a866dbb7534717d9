import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { MessageEvent } from '@nestjs/common';
import { Subject } from 'rxjs';

import { HEARTBEAT, frameBytes, frameEvent } from './sse-frame';
import { writeSse } from './stream-sink';

describe('frameEvent', () => {
  it('writes retry first, then event, id and data, one data line per line, and a blank line', () => {
    expect(frameEvent({ type: 'metrics', id: '7', retry: 3000, data: '{"a":1}' })).toBe(
      'retry: 3000\nevent: metrics\nid: 7\ndata: {"a":1}\n\n',
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

  it('encodes the frame once into a Buffer that every stream shares', () => {
    const event: MessageEvent = { type: 'metrics', id: '2', data: 'é' };
    const bytes = frameBytes(event);
    expect(bytes.toString('utf8')).toBe('event: metrics\nid: 2\ndata: é\n\n');
    expect(frameBytes(event)).toBe(bytes);
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
  write(chunk: string | Buffer) {
    this.written.push(chunk.toString());
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
  const open = (events$: Subject<MessageEvent>, maxPendingBytes = 1000, slowClientGraceMs = 0) => {
    const res = new FakeResponse();
    writeSse(req, res as unknown as ServerResponse, events$, { maxPendingBytes, slowClientGraceMs });
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

  it('keeps a client that is backed up by a burst for less than the grace period', () => {
    jest.useFakeTimers();
    try {
      const events$ = new Subject<MessageEvent>();
      const res = open(events$, 100, 5000);
      res.writableLength = 101;
      res.writableNeedDrain = true;
      events$.next({ type: 'metrics', id: '1', data: 'a' });
      jest.advanceTimersByTime(4000);
      events$.next({ type: 'metrics', id: '2', data: 'b' });
      expect(res.destroyed).toBe(false);
      // It drains: the clock starts again.
      res.writableLength = 0;
      res.writableNeedDrain = false;
      res.emit('drain');
      jest.advanceTimersByTime(4000);
      res.writableLength = 101;
      res.writableNeedDrain = true;
      events$.next({ type: 'metrics', id: '3', data: 'c' });
      jest.advanceTimersByTime(4000);
      events$.next({ type: 'metrics', id: '4', data: 'd' });
      expect(res.destroyed).toBe(false);
      jest.advanceTimersByTime(1000);
      events$.next({ type: 'metrics', id: '5', data: 'e' });
      expect(res.destroyed).toBe(true);
    } finally {
      jest.useRealTimers();
    }
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
  it("writes the body to the response's socket once the headers are out; a backed-up socket is a slow reader", () => {
    const socket = Object.assign(new EventEmitter(), {
      written: [] as string[],
      writableLength: 0,
      writableNeedDrain: false,
      write(chunk: string | Buffer) {
        this.written.push(chunk.toString());
        return true;
      },
      cork: () => undefined,
      uncork: () => undefined,
    });
    const res = Object.assign(new FakeResponse(), { socket });
    const events$ = new Subject<MessageEvent>();
    writeSse(req, res as unknown as ServerResponse, events$, { maxPendingBytes: 100, slowClientGraceMs: 0 });
    events$.next({ type: 'metrics', id: '1', data: 'a' });
    expect(socket.written).toEqual(['event: metrics\nid: 1\ndata: a\n\n']);
    expect(res.written).toEqual([]);
    // A backed-up socket is what counts as a slow reader.
    socket.writableLength = 101;
    socket.writableNeedDrain = true;
    events$.next({ type: 'metrics', id: '2', data: 'b' });
    expect(res.destroyed).toBe(true);
    expect(events$.observed).toBe(false);
  });

  it('ends at once a stream whose client left while its request was being authenticated', () => {
    const events$ = new Subject<MessageEvent>();
    const res = Object.assign(new FakeResponse(), { destroyed: true });
    writeSse(req, res as unknown as ServerResponse, events$, { maxPendingBytes: 100 });
    expect(events$.observed).toBe(false);
  });
});
