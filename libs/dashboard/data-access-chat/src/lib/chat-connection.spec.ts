import { BehaviorSubject, type Subscription, asyncScheduler } from 'rxjs';

import type { ConnectionState } from '@realtime/dashboard/data-access-realtime';

import { type ChatSocketEvent, createChatConnection } from './chat-connection';
import { FakeChatSocket } from './testing/fake-chat-socket';

const POLICY = { baseMs: 1000, maxMs: 30_000, maxAttempts: 3, jitter: 0 };

describe('createChatConnection', () => {
  let sockets: FakeChatSocket[];
  let online: BehaviorSubject<boolean>;
  let states: ConnectionState[];
  let events: ChatSocketEvent[];
  let subs: Subscription[];
  let token: string;
  const last = () => sockets[sockets.length - 1];
  const kinds = () => states.map((s) => s.kind);

  function start(visible$?: BehaviorSubject<boolean>, sessionRejected?: () => Promise<boolean>) {
    const connection = createChatConnection({
      sessionRejected,
      visible$,
      hiddenGraceMs: 30_000,
      factory: (t) => {
        const s = new FakeChatSocket(t, {});
        sockets.push(s);
        return s;
      },
      token: () => token,
      online$: online,
      policy: POLICY,
      scheduler: asyncScheduler,
      clock: () => Date.now(),
    });
    subs = [
      connection.state$.subscribe((s) => states.push(s)),
      connection.events$.subscribe((e) => events.push(e)),
    ];
    return connection;
  }

  beforeEach(() => {
    jest.useFakeTimers();
    sockets = [];
    states = [];
    events = [];
    token = 'token-1';
    online = new BehaviorSubject(true);
  });
  afterEach(() => {
    subs.forEach((s) => s.unsubscribe());
    jest.useRealTimers();
  });

  it('opens one socket for all subscribers and says connected on connect', () => {
    start();
    expect(sockets).toHaveLength(1);
    expect(last().opened).toBe(true);
    expect(last().token).toBe('token-1');
    last().fire('connect');
    expect(states.at(-1)?.kind).toBe('connected');
    expect(events).toEqual([{ kind: 'open', socket: last(), resumed: false }]);
  });

  it('reconnects with the shared backoff after a drop, with the current token, and says it resumed', () => {
    start();
    last().fire('connect');
    token = 'token-2';
    last().fire('disconnect', 'transport close');
    expect(sockets[0].closed).toBe(true);
    expect(states.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 1, maxAttempts: 3 });
    jest.advanceTimersByTime(999);
    expect(sockets).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    expect(last().token).toBe('token-2');
    last().fire('connect_error', new Error('refused'));
    expect(states.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 2 });
    jest.advanceTimersByTime(2000);
    last().fire('connect');
    expect(events.at(-1)).toMatchObject({ kind: 'open', resumed: true });
    // Success resets the count: the next drop is attempt 1 again.
    last().fire('disconnect', 'ping timeout');
    expect(states.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 1 });
  });

  it('a refused sign-in goes to the auth store once, is not retried, and connects again if it renewed', async () => {
    const rejected = jest.fn<Promise<boolean>, []>().mockResolvedValue(false);
    start(undefined, rejected);
    const unauthorized = Object.assign(new Error('invalid token'), { data: { code: 'UNAUTHORIZED' } });
    last().fire('connect_error', unauthorized);
    expect(states.at(-1)).toEqual({ kind: 'unauthorized' });
    expect(rejected).toHaveBeenCalledTimes(1);
    await Promise.resolve();
    jest.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);

    // Renewed (silent renewal in the auth store): a new attempt with the new token.
    rejected.mockResolvedValue(true);
    subs.forEach((s) => s.unsubscribe());
    sockets = [];
    start(undefined, rejected);
    token = 'token-renewed';
    last().fire('connect_error', unauthorized);
    await Promise.resolve();
    await Promise.resolve();
    expect(sockets).toHaveLength(2);
    expect(last().token).toBe('token-renewed');
  });

  it('gives up after the policy attempts, and reconnect() starts again', () => {
    const connection = start();
    for (let i = 0; i < 3; i++) {
      last().fire('connect_error', new Error('refused'));
      jest.advanceTimersByTime(30_000);
    }
    last().fire('connect_error', new Error('refused'));
    expect(states.at(-1)?.kind).toBe('disconnected');
    expect(sockets).toHaveLength(4);
    connection.reconnect();
    expect(sockets).toHaveLength(5);
    last().fire('connect');
    expect(states.at(-1)?.kind).toBe('connected');
  });

  it('closes the socket while offline and opens a new one when back online', () => {
    start();
    last().fire('connect');
    online.next(false);
    expect(sockets[0].closed).toBe(true);
    expect(states.at(-1)?.kind).toBe('offline');
    online.next(true);
    expect(sockets).toHaveLength(2);
    expect(kinds().slice(-2)).toEqual(['offline', 'connecting']);
  });

  it('closes the socket and cancels a pending retry when the last subscriber leaves', () => {
    start();
    last().fire('disconnect', 'transport close');
    subs.forEach((s) => s.unsubscribe());
    jest.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(sockets[0].closed).toBe(true);
  });

  it('a page hidden for the grace period lets its socket go, and opens a new one when seen again', () => {
    const visible = new BehaviorSubject(true);
    start(visible);
    last().fire('connect');
    visible.next(false);
    jest.advanceTimersByTime(29_999);
    visible.next(true);
    visible.next(false);
    jest.advanceTimersByTime(29_999);
    expect(sockets).toHaveLength(1);
    expect(last().closed).toBe(false);
    jest.advanceTimersByTime(1);
    expect(last().closed).toBe(true);
    expect(states.at(-1)).toEqual({ kind: 'idle' });
    jest.advanceTimersByTime(600_000);
    expect(sockets).toHaveLength(1);

    visible.next(true);
    expect(sockets).toHaveLength(2);
    last().fire('connect');
    expect(events.at(-1)).toMatchObject({ kind: 'open', resumed: true });
  });
});
