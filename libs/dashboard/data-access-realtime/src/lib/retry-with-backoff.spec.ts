import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

import { DEFAULT_BACKOFF } from './backoff';
import { retryWithBackoff } from './retry-with-backoff';

const noJitter = () => 0.5;

function scheduler() {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('retryWithBackoff (marbles)', () => {
  it('waits 1, 2, 4, 8 and 16 s between attempts and errors after the fifth', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#', undefined, new Error('down'));
      const result = source.pipe(retryWithBackoff({ random: noJitter }));
      // Subscriptions at 0, 1 s, 3 s, 7 s, 15 s, 31 s; the error surfaces at 31 s.
      expectObservable(result).toBe('31s #', undefined, new Error('down'));
      expectSubscriptions(source.subscriptions).toBe([
        '(^!)',
        '1s (^!)',
        '3s (^!)',
        '7s (^!)',
        '15s (^!)',
        '31s (^!)',
      ]);
    });
  });

  it('starts counting again after the source emits (a successful connection)', () => {
    const delays: number[] = [];
    scheduler().run(({ expectObservable }) => {
      let subscriptions = 0;
      // Fails twice, then connects (emits) and fails again: the next wait is 1 s again.
      const source = new Observable<string>((s) => {
        subscriptions++;
        if (subscriptions === 3) s.next('open');
        s.error(new Error('lost'));
      });
      const result = source.pipe(
        retryWithBackoff({
          random: noJitter,
          policy: { ...DEFAULT_BACKOFF, maxAttempts: 3 },
          onRetry: (r) => delays.push(r.delayMs),
        }),
      );
      // 0 fail, 1 s fail, 3 s open+fail, then 1 s, 2 s, 4 s again → error at 3 + 7 = 10 s.
      expectObservable(result).toBe('3s a 6999ms #', { a: 'open' }, new Error('lost'));
    });
    expect(delays).toEqual([1000, 2000, 1000, 2000, 4000]);
  });

  it('uses the scheduler it is given (the attempt numbers are 1-based)', () => {
    const seen: number[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const result = cold('#').pipe(
        retryWithBackoff({
          random: noJitter,
          policy: { ...DEFAULT_BACKOFF, baseMs: 10, maxAttempts: 2 },
          onRetry: (r) => seen.push(r.attempt),
        }),
      );
      expectObservable(result).toBe('30ms #');
    });
    expect(seen).toEqual([1, 2]);
  });
});
