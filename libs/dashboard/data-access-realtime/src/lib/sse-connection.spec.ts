import { BehaviorSubject, type Subscription, asyncScheduler } from 'rxjs';

import { DEFAULT_BACKOFF } from './backoff';
import type { ConnectionState } from './connection-state';
import { type SseRawEvent, type StreamMessage, createSseConnection, withLastEventId } from './sse-connection';

class FakeEventSource {
  static all: FakeEventSource[] = [];
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  closed = false;
  /** 0 connecting, 1 open, 2 closed: the browser sets 2 before `error` when the server refused. */
  readyState = 0;
  private listeners = new Map<string, Set<(e: Event) => void>>();

  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  static get last(): FakeEventSource {
    return FakeEventSource.all[FakeEventSource.all.length - 1];
  }
  addEventListener(name: string, fn: (e: Event) => void) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name)!.add(fn);
  }
  removeEventListener(name: string, fn: (e: Event) => void) {
    this.listeners.get(name)?.delete(fn);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.(new Event('open'));
  }
  fail() {
    this.onerror?.(new Event('error'));
  }
  refuse() {
    this.readyState = 2;
    this.onerror?.(new Event('error'));
  }
  emit(name: string, id: string, data: unknown) {
    const e = { type: name, lastEventId: id, data: JSON.stringify(data) } as unknown as Event;
    this.listeners.get(name)?.forEach((fn) => fn(e));
  }
}

describe('createSseConnection', () => {
  let online: BehaviorSubject<boolean>;
  let states: ConnectionState[];
  let messages: StreamMessage<{ id: string; n: number }>[];
  let subs: Subscription[];

  function connect(policy = DEFAULT_BACKOFF, checkSession?: () => Promise<boolean>) {
    const connection = createSseConnection({
      checkSession,
      url: '/api/stream',
      events: ['tick'],
      parse: (e: SseRawEvent) => ({ id: e.id, n: JSON.parse(e.data).n }),
      factory: (url) => new FakeEventSource(url) as unknown as EventSource,
      online$: online,
      policy,
      scheduler: asyncScheduler,
      clock: () => Date.now(),
      random: () => 0.5,
    });
    subs.push(connection.state$.subscribe((s) => states.push(s)));
    subs.push(connection.messages$.subscribe((m) => messages.push(m)));
    return connection;
  }
  const state = () => states[states.length - 1];

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    FakeEventSource.all = [];
    online = new BehaviorSubject(true);
    states = [];
    messages = [];
    subs = [];
  });
  afterEach(() => {
    subs.forEach((s) => s.unsubscribe());
    jest.useRealTimers();
  });

  it('opens one EventSource for every subscriber and closes it with the last', () => {
    const connection = connect();
    const extra = connection.messages$.subscribe();
    expect(FakeEventSource.all).toHaveLength(1);
    expect(state()).toEqual({ kind: 'connecting' });
    FakeEventSource.last.open();
    expect(state()).toEqual({ kind: 'connected', since: 1_000_000 });
    FakeEventSource.last.emit('tick', '7', { n: 1 });
    expect(messages).toEqual([
      { kind: 'open', resumed: false },
      { kind: 'event', value: { id: '7', n: 1 } },
    ]);
    extra.unsubscribe();
    subs.forEach((s) => s.unsubscribe());
    expect(FakeEventSource.last.closed).toBe(true);
  });

  it('closes the native EventSource on error and reconnects itself with the last event id', () => {
    connect();
    const first = FakeEventSource.last;
    first.open();
    first.emit('tick', '41', { n: 1 });
    first.fail();
    expect(first.closed).toBe(true);
    expect(state()).toMatchObject({ kind: 'reconnecting', attempt: 1, maxAttempts: 5, retryAt: 1_001_000 });
    jest.advanceTimersByTime(999);
    expect(FakeEventSource.all).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(FakeEventSource.all).toHaveLength(2);
    expect(FakeEventSource.last.url).toBe('/api/stream?lastEventId=41');
    FakeEventSource.last.open();
    expect(state().kind).toBe('connected');
    expect(messages[messages.length - 1]).toEqual({ kind: 'open', resumed: true });
  });

  it('waits 1, 2, 4, 8, 16 s, gives up after five attempts and starts again on reconnect()', () => {
    const connection = connect();
    FakeEventSource.last.fail();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const s = state();
      expect(s).toMatchObject({ kind: 'reconnecting', attempt, maxAttempts: 5 });
      const wait = (s as { retryAt: number }).retryAt - Date.now();
      waits.push(wait);
      jest.advanceTimersByTime(wait);
      expect(FakeEventSource.all).toHaveLength(attempt + 1);
      FakeEventSource.last.fail();
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(state()).toEqual({ kind: 'disconnected', reason: 'The live connection was lost.' });
    jest.advanceTimersByTime(120_000);
    expect(FakeEventSource.all).toHaveLength(6);

    connection.reconnect();
    expect(FakeEventSource.all).toHaveLength(7);
    expect(state()).toEqual({ kind: 'connecting' });
    FakeEventSource.last.open();
    expect(state().kind).toBe('connected');
  });

  it('resets the attempt count after a successful connection', () => {
    connect();
    FakeEventSource.last.fail();
    jest.advanceTimersByTime(1000);
    FakeEventSource.last.fail();
    expect(state()).toMatchObject({ kind: 'reconnecting', attempt: 2 });
    jest.advanceTimersByTime(2000);
    FakeEventSource.last.open();
    FakeEventSource.last.fail();
    expect(state()).toMatchObject({ kind: 'reconnecting', attempt: 1, retryAt: Date.now() + 1000 });
  });

  it('pauses while offline and resumes by itself when back online', () => {
    connect();
    FakeEventSource.last.open();
    online.next(false);
    expect(FakeEventSource.last.closed).toBe(true);
    expect(state()).toEqual({ kind: 'offline' });
    jest.advanceTimersByTime(300_000);
    expect(FakeEventSource.all).toHaveLength(1);

    online.next(true);
    expect(FakeEventSource.all).toHaveLength(2);
    expect(state()).toEqual({ kind: 'connecting' });
  });

  it('going offline cancels a pending retry, and the count starts afresh online', () => {
    connect();
    FakeEventSource.last.fail();
    jest.advanceTimersByTime(1000);
    FakeEventSource.last.fail();
    expect(state()).toMatchObject({ kind: 'reconnecting', attempt: 2 });
    online.next(false);
    jest.advanceTimersByTime(60_000);
    expect(FakeEventSource.all).toHaveLength(2);
    online.next(true);
    expect(FakeEventSource.all).toHaveLength(3);
    FakeEventSource.last.fail();
    expect(state()).toMatchObject({ kind: 'reconnecting', attempt: 1 });
  });

  it('drops events the parser rejects', () => {
    const connection = createSseConnection({
      url: '/s',
      events: ['tick'],
      parse: () => null,
      factory: (url) => new FakeEventSource(url) as unknown as EventSource,
      online$: online,
      policy: DEFAULT_BACKOFF,
      scheduler: asyncScheduler,
      clock: () => 0,
    });
    const got: unknown[] = [];
    subs.push(connection.messages$.subscribe((m) => got.push(m)));
    FakeEventSource.last.open();
    FakeEventSource.last.emit('tick', '1', {});
    expect(got).toEqual([{ kind: 'open', resumed: false }]);
  });
  it('asks about the session only when the server refused the stream, and stops retrying when it was that', async () => {
    const check = jest.fn<Promise<boolean>, []>().mockResolvedValue(true);
    connect(DEFAULT_BACKOFF, check);
    FakeEventSource.last.open();
    // A dropped connection (the API went away) is not about the session.
    FakeEventSource.last.fail();
    expect(check).not.toHaveBeenCalled();
    expect(state().kind).toBe('reconnecting');
    jest.advanceTimersByTime(60_000);

    // A refusal the check says is not the session's (a gateway's 502): retried as before.
    FakeEventSource.last.refuse();
    await Promise.resolve();
    await Promise.resolve();
    expect(check).toHaveBeenCalledTimes(1);
    expect(state().kind).toBe('reconnecting');
    jest.advanceTimersByTime(60_000);

    // The session's: no retry; the auth store (through the check) takes it from here.
    const count = FakeEventSource.all.length;
    check.mockResolvedValue(false);
    FakeEventSource.last.refuse();
    await Promise.resolve();
    await Promise.resolve();
    expect(state()).toEqual({ kind: 'unauthorized' });
    jest.advanceTimersByTime(120_000);
    expect(FakeEventSource.all.length).toBe(count);
    expect(FakeEventSource.last.closed).toBe(true);
  });
});

describe('withLastEventId', () => {
  it('adds the id as a query parameter', () => {
    expect(withLastEventId('/a', null)).toBe('/a');
    expect(withLastEventId('/a', '5')).toBe('/a?lastEventId=5');
    expect(withLastEventId('/a?x=1', '5 6')).toBe('/a?x=1&lastEventId=5%206');
  });
});
