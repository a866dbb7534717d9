import type { MessageEvent } from '@nestjs/common';
import { Subject } from 'rxjs';

import { HEARTBEAT, goingAway, sseStream, streamsShutdown$ } from './sse';

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
