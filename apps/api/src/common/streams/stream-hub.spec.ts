import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { MessageEvent } from '@nestjs/common';
import { Subject, type Subscription } from 'rxjs';

import { ShutdownSignal } from '../shutdown-signal';
import { HEARTBEAT, goingAway } from './sse-frame';
import { HubStream, StreamHub } from './stream-hub';
import type { StreamEvent, StreamSource } from './stream-source';

/**
 * A channel in memory: `publish` delivers on a topic; a durable log answers `after`; the
 * opening replays the log after the cursor (or sends a `hello` with the latest id).
 */
class FakeSource implements StreamSource {
  readonly listeners = new Map<string, Set<(e: StreamEvent) => void>>();
  readonly log: StreamEvent[] = [];
  listens = 0;
  live = true;
  readonly reconnected$ = new Subject<void>();
  opening$: Promise<void> | null = null;

  constructor(
    readonly name: string,
    readonly retryMs = 3000,
    private readonly max = 2,
  ) {}

  maxStreamsPerUser() {
    return this.max;
  }
  topics(userId: number) {
    return [`${this.name}`, `${this.name}:user:${userId}`];
  }
  listen(topic: string, deliver: (e: StreamEvent) => void) {
    this.listens++;
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(deliver);
    return () => {
      set.delete(deliver);
      if (set.size === 0) this.listeners.delete(topic);
    };
  }
  event(id: number, data = `e${id}`): StreamEvent {
    return { id, event: { id: String(id), type: 'thing', data } };
  }
  /** Stores and publishes on the shared topic (`to`: one user's topic). */
  publish(id: number, to?: number) {
    const e = this.event(id);
    this.log.push(e);
    if (this.live)
      this.listeners.get(to === undefined ? this.name : `${this.name}:user:${to}`)?.forEach((d) => d(e));
    return e;
  }
  async opening(_userId: number, cursor: string | undefined): Promise<StreamEvent[]> {
    if (this.opening$) await this.opening$;
    const after = cursor === undefined ? undefined : Number(cursor);
    const latest = this.log.at(-1)?.id ?? 0;
    const hello = { id: after ?? latest, event: { id: String(after ?? latest), type: 'hello', data: '{}' } };
    return [hello, ...(after === undefined ? [] : this.log.filter((e) => e.id > after))];
  }
  async after(_userId: number, id: number) {
    return this.log.filter((e) => e.id > id);
  }
  connected() {
    return this.live;
  }
}

class FakeResponse extends EventEmitter {
  written: Buffer[] = [];
  ended = false;
  writableLength = 0;
  writableNeedDrain = false;
  writeHead = () => this;
  flushHeaders = () => undefined;
  removeHeader = () => undefined;
  write(chunk: string | Buffer) {
    this.written.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return true;
  }
  end(chunk?: string) {
    if (chunk) this.written.push(Buffer.from(chunk));
    this.ended = true;
  }
  destroy() {
    this.emit('close');
  }
  get text() {
    return Buffer.concat(this.written).toString();
  }
}

/** A response that corks as a socket does: `flushes` are the writes that reach the client. */
class CorkingResponse extends FakeResponse {
  private corked = 0;
  private pending = 0;
  flushes: number[] = [];
  cork() {
    this.corked++;
  }
  uncork() {
    if (--this.corked === 0 && this.pending) {
      this.flushes.push(this.pending);
      this.pending = 0;
    }
  }
  override write(chunk: string | Buffer) {
    super.write(chunk);
    if (this.corked) this.pending++;
    else this.flushes.push(1);
    return true;
  }
}

const noop = () => undefined;
const req = {
  socket: { setKeepAlive: noop, setNoDelay: noop, setTimeout: noop },
} as unknown as IncomingMessage;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('StreamHub', () => {
  let shutdown: ShutdownSignal;
  let presence: { track: jest.Mock; open: number };
  let hub: StreamHub;
  let subs: Subscription[];

  beforeEach(() => {
    shutdown = new ShutdownSignal();
    presence = {
      open: 0,
      track: jest.fn(() => {
        presence.open++;
        return () => presence.open--;
      }),
    };
    hub = new StreamHub({ heartbeatMs: 1000 }, presence, shutdown);
    subs = [];
  });
  afterEach(() => {
    subs.forEach((s) => s.unsubscribe());
    jest.useRealTimers();
  });

  function collect(stream: ReturnType<StreamHub['open']>) {
    const got: MessageEvent[] = [];
    const state = { got, completed: false };
    subs.push(stream.subscribe({ next: (e) => got.push(e), complete: () => (state.completed = true) }));
    return state;
  }

  it('caps the streams of one user per channel with a 429, and frees the slot on close', () => {
    const source = new FakeSource('things', 3000, 2);
    collect(hub.open(source, { id: 1 }, undefined));
    collect(hub.open(source, { id: 1 }, undefined));
    expect(() => hub.open(source, { id: 1 }, undefined)).toThrow(
      expect.objectContaining({
        status: 429,
        message: 'Too many open things streams for this user (at most 2): close one before opening another',
      }),
    );
    expect(() => collect(hub.open(source, { id: 2 }, undefined))).not.toThrow();
    expect(presence.open).toBe(3);
    subs.shift()!.unsubscribe();
    expect(presence.open).toBe(2);
    expect(() => collect(hub.open(source, { id: 1 }, undefined))).not.toThrow();
  });

  it('sends retry with the first event, then live events and heartbeats; releases everything on close', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const source = new FakeSource('things');
    const s = collect(hub.open(source, { id: 1 }, undefined));
    await settle();
    source.publish(5);
    jest.advanceTimersByTime(1000);
    source.publish(6, 1);
    source.publish(7, 2); // another user's topic: not this stream
    expect(s.got).toEqual([
      { id: '0', type: 'hello', data: '{}', retry: 3000 },
      { id: '5', type: 'thing', data: 'e5' },
      HEARTBEAT,
      { id: '6', type: 'thing', data: 'e6' },
    ]);
    subs.shift()!.unsubscribe();
    expect(source.listeners.size).toBe(0);
    expect(hub.openTopics).toBe(0);
    expect(presence.open).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('resumes across a gap: the missed events once, in order, then live, with nothing published during the read lost', async () => {
    const source = new FakeSource('things');
    for (const id of [1, 2, 3]) source.publish(id);
    let release!: () => void;
    source.opening$ = new Promise<void>((r) => (release = r));
    const s = collect(hub.open(source, { id: 1 }, '1'));
    // Published while the opening is read: held, then sent once, after the replay.
    source.publish(4);
    release();
    await settle();
    source.publish(5);
    expect(s.got.map((e) => [e.id, e.type])).toEqual([
      ['1', 'hello'],
      ['2', 'thing'],
      ['3', 'thing'],
      ['4', 'thing'],
      ['5', 'thing'],
    ]);
  });

  it("writes a resumed stream's missed events, and those held meanwhile, in one write; live ones each at once", async () => {
    const source = new FakeSource('things');
    for (const id of [1, 2, 3, 4]) source.publish(id);
    let release!: () => void;
    source.opening$ = new Promise<void>((r) => (release = r));
    const res = new CorkingResponse();
    (hub.open(source, { id: 1 }, '1') as HubStream).writeTo(req, res as unknown as ServerResponse);
    source.publish(5); // held while the opening is read
    release();
    await settle();
    source.publish(6);
    expect(res.text.match(/^id: \d+$/gm)).toEqual(['id: 1', 'id: 2', 'id: 3', 'id: 4', 'id: 5', 'id: 6']);
    // hello (1) and the missed 2-4, then the held 5: one write; the live 6: one more.
    expect(res.flushes).toEqual([5, 1]);
  });

  it('reads through the store while the live path is cut off, and catches up when it is back', async () => {
    const source = new FakeSource('things');
    const s = collect(hub.open(source, { id: 1 }, undefined));
    await settle();
    source.live = false;
    source.publish(1); // stored only: not delivered live
    source.live = true;
    source.reconnected$.next();
    await settle();
    source.publish(2);
    expect(s.got.map((e) => e.id)).toEqual(['0', '1', '2']);
  });

  it('frames each event once and writes the same bytes to every stream of the topic', async () => {
    const source = new FakeSource('things');
    const responses = [new FakeResponse(), new FakeResponse(), new FakeResponse()];
    for (const [i, res] of responses.entries()) {
      const stream = hub.open(source, { id: i + 1 }, undefined) as HubStream;
      stream.writeTo(req, res as unknown as ServerResponse);
    }
    await settle();
    expect(source.listens).toBe(4); // the shared topic once, and each user's own
    source.publish(9);
    const last = responses.map((r) => r.written.at(-1));
    expect(last[0]!.toString()).toBe('event: thing\nid: 9\ndata: e9\n\n');
    expect(last[1]).toBe(last[0]);
    expect(last[2]).toBe(last[0]);
    expect(responses[0].text).toMatch(/^retry: 3000\nevent: hello\nid: 0\n/);
  });

  it('drops a slow reader past the byte bound and grace period without slowing the others', async () => {
    hub = new StreamHub(
      { heartbeatMs: 60_000, maxPendingBytes: 100, slowClientGraceMs: 0 },
      presence,
      shutdown,
    );
    const source = new FakeSource('things');
    const slow = new FakeResponse();
    const fast = new FakeResponse();
    (hub.open(source, { id: 1 }, undefined) as HubStream).writeTo(req, slow as unknown as ServerResponse);
    (hub.open(source, { id: 2 }, undefined) as HubStream).writeTo(req, fast as unknown as ServerResponse);
    await settle();
    slow.writableLength = 101;
    slow.writableNeedDrain = true;
    source.publish(1);
    expect(hub.size(source)).toBe(1);
    expect(presence.open).toBe(1);
    source.publish(2);
    expect(fast.text).toContain('id: 2\n');
    expect(slow.text).not.toContain('id: 1\n');
  });

  it('ends a stream when its token expires, releasing it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const source = new FakeSource('things');
    const exp = Math.floor(Date.now() / 1000) + 2;
    const expiring = collect(hub.open(source, { id: 1, tokenExp: exp }, undefined));
    const later = collect(hub.open(source, { id: 2, tokenExp: exp + 3600 }, undefined));
    await settle();
    jest.advanceTimersByTime(1000);
    expect(expiring.completed).toBe(false);
    jest.advanceTimersByTime(2000);
    expect(expiring.completed).toBe(true);
    expect(later.completed).toBe(false);
    expect(presence.open).toBe(1);
  });

  it('ends every stream at shutdown with a retry: goodbye repeating its last id; later ones end at once', async () => {
    const source = new FakeSource('things');
    const s = collect(hub.open(source, { id: 1 }, undefined));
    const res = new FakeResponse();
    (hub.open(source, { id: 2 }, undefined) as HubStream).writeTo(req, res as unknown as ServerResponse);
    await settle();
    source.publish(7);
    shutdown.fire();
    expect(s.completed).toBe(true);
    expect(s.got.at(-1)).toEqual(goingAway(3000, '7'));
    expect(res.ended).toBe(true);
    expect(res.text.endsWith('retry: 3000\nid: 7\n: server shutting down, reconnect\n\n')).toBe(true);
    expect(presence.open).toBe(0);
    const late = collect(hub.open(source, { id: 1 }, undefined));
    expect(late.got).toEqual([{ comment: 'shutting down' }]);
    expect(late.completed).toBe(true);
  });

  it('sends no goodbye from a stream that had sent nothing yet', () => {
    const source = new FakeSource('things');
    source.opening$ = new Promise(() => undefined);
    const s = collect(hub.open(source, { id: 1 }, undefined));
    shutdown.fire();
    expect(s.got).toEqual([]);
    expect(s.completed).toBe(true);
  });

  it('closes every stream of one user or one session at once', async () => {
    const source = new FakeSource('things', 3000, 10);
    const a1 = collect(hub.open(source, { id: 1, sessionId: 's1' }, undefined));
    const a2 = collect(hub.open(source, { id: 1, sessionId: 's2' }, undefined));
    const b = collect(hub.open(source, { id: 2, sessionId: 's3' }, undefined));
    await settle();
    expect(hub.closeSession('s2')).toBe(1);
    expect([a1.completed, a2.completed, b.completed]).toEqual([false, true, false]);
    expect(hub.closeUser(1)).toBe(1);
    expect(a1.completed).toBe(true);
    expect(hub.size()).toBe(1);
  });

  it('jitters the retry: of each stream within [retry, retry × (1 + jitter)]', async () => {
    let r = 0;
    const randoms = [0, 0.5, 0.999];
    hub = new StreamHub(
      { heartbeatMs: 60_000, retryJitter: 0.5, random: () => randoms[r++] },
      presence,
      shutdown,
    );
    const source = new FakeSource('things', 2000);
    const streams = randoms.map((_, i) => collect(hub.open(source, { id: i + 1 }, undefined)));
    await settle();
    expect(streams.map((s) => s.got[0].retry)).toEqual([2000, 2500, 2999]);
  });

  it('carries several channels in one stream, with ids that name the position in each', async () => {
    const a = new FakeSource('a', 3000);
    const b = new FakeSource('b', 2000);
    a.publish(10);
    a.publish(11);
    b.publish(5);
    const s = collect(hub.open([a, b], { id: 1 }, 'a:10,b:4'));
    await settle();
    b.publish(6);
    a.publish(12);
    expect(s.got.map((e) => [e.type, e.data, e.id])).toEqual([
      ['hello', '{}', 'a:10'],
      ['thing', 'e11', 'a:11'],
      ['hello', '{}', 'a:11,b:4'],
      ['thing', 'e5', 'a:11,b:5'],
      ['thing', 'e6', 'a:11,b:6'],
      ['thing', 'e12', 'a:12,b:6'],
    ]);
    expect(s.got[0].retry).toBe(2000);
    expect(hub.openStreams(a, 1)).toBe(1);
    expect(hub.openStreams(b, 1)).toBe(1);
  });

  it('sends an ephemeral event at once without an id, never holding, replaying or resuming from it', async () => {
    const source = new FakeSource('things');
    const ephemeral = (data: string): StreamEvent => ({
      id: 0,
      ephemeral: true,
      event: { type: 'blip', data },
    });
    const deliver = (e: StreamEvent) => source.listeners.get('things:user:1')?.forEach((d) => d(e));
    source.publish(1);
    let release!: () => void;
    source.opening$ = new Promise<void>((r) => (release = r));
    const s = collect(hub.open(source, { id: 1 }, '0'));
    deliver(ephemeral('early')); // before the opening is out: now or never
    release();
    await settle();
    deliver(ephemeral('b1'));
    deliver(ephemeral('b2')); // the same id twice: both go out
    source.publish(2);
    expect(s.got.map((e) => [e.id, e.type, e.data])).toEqual([
      ['0', 'hello', '{}'],
      ['1', 'thing', 'e1'],
      [undefined, 'blip', 'b1'],
      [undefined, 'blip', 'b2'],
      ['2', 'thing', 'e2'],
    ]);

    // In a combined stream it carries no position either.
    const other = new FakeSource('other');
    const c = collect(hub.open([source, other], { id: 2 }, undefined));
    await settle();
    source.listeners.get('things:user:2')?.forEach((d) => d(ephemeral('c1')));
    expect(c.got.at(-1)).toEqual({ type: 'blip', data: 'c1' });
  });
});
