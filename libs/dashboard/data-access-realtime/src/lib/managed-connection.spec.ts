import { BehaviorSubject, Observable, Subject, asyncScheduler } from 'rxjs';

import { DEFAULT_BACKOFF } from './backoff';
import type { ConnectionState } from './connection-state';
import { managedConnection } from './managed-connection';

type Msg = 'open' | 'data';

describe('managedConnection', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Each attempt is a Subject the test drives; `closed` counts torn-down attempts. */
  function setup() {
    const attempts: Subject<Msg>[] = [];
    let closed = 0;
    const online = new BehaviorSubject(true);
    const connection = managedConnection<Msg>({
      connect: () =>
        new Observable<Msg>((subscriber) => {
          const attempt = new Subject<Msg>();
          attempts.push(attempt);
          const sub = attempt.subscribe(subscriber);
          return () => {
            sub.unsubscribe();
            closed++;
          };
        }),
      isOpen: (m) => m === 'open',
      describe: () => 'lost',
      online$: online,
      policy: DEFAULT_BACKOFF,
      scheduler: asyncScheduler,
      clock: () => Date.now(),
      random: () => 0.5,
    });
    const states: ConnectionState['kind'][] = [];
    const got: Msg[] = [];
    const s1 = connection.state$.subscribe((s) => states.push(s.kind));
    const s2 = connection.messages$.subscribe((m) => got.push(m));
    return {
      attempts,
      online,
      connection,
      states,
      got,
      closed: () => closed,
      stop: () => (s1.unsubscribe(), s2.unsubscribe()),
    };
  }

  it('shares one attempt, retries with the backoff after a loss, and closes with the last subscriber', () => {
    const t = setup();
    expect(t.attempts).toHaveLength(1);
    t.attempts[0].next('open');
    t.attempts[0].next('data');
    expect(t.got).toEqual(['open', 'data']);
    expect(t.states.at(-1)).toBe('connected');
    t.attempts[0].error(new Error('gone'));
    expect(t.states.at(-1)).toBe('reconnecting');
    jest.advanceTimersByTime(999);
    expect(t.attempts).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(t.attempts).toHaveLength(2);
    t.stop();
    expect(t.closed()).toBe(2);
  });

  it('gives up after the policy, starts again on reconnect(), and pauses while offline', () => {
    const t = setup();
    for (let i = 0; i < DEFAULT_BACKOFF.maxAttempts; i++) {
      t.attempts.at(-1)!.error(new Error('down'));
      jest.advanceTimersByTime(DEFAULT_BACKOFF.maxMs);
    }
    t.attempts.at(-1)!.error(new Error('down'));
    expect(t.states.at(-1)).toBe('disconnected');
    const before = t.attempts.length;
    t.connection.reconnect();
    expect(t.attempts).toHaveLength(before + 1);
    t.online.next(false);
    expect(t.states.at(-1)).toBe('offline');
    expect(t.closed()).toBe(before + 1);
    t.online.next(true);
    expect(t.attempts).toHaveLength(before + 2);
    t.stop();
  });
});
