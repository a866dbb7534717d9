import { TestBed } from '@angular/core/testing';

import { ServerClock } from './server-clock';

describe('ServerClock', () => {
  it('bounds the offset by each answer and narrows it with more answers', () => {
    const clock = TestBed.inject(ServerClock);
    expect(clock.offsetMs()).toBe(0);
    expect(clock.uncertaintyMs()).toBeNull();
    // Server 2.3 s ahead; request 9_999_900 → 10_000_100 local; header says 10_002_000 (rounded down).
    clock.addDateHeader(new Date(10_002_000).toUTCString(), 9_999_900, 10_000_100);
    // Offset in [10_002_000 − 10_000_100, 10_003_000 − 9_999_900] = [1900, 3100].
    expect(clock.offsetMs()).toBe(2500);
    expect(clock.uncertaintyMs()).toBe(600);
    // A fresh server timestamp, 100 ms round trip: offset in [2250, 2350].
    clock.add({ serverTime: 10_002_350, sentAt: 10_000_000, receivedAt: 10_000_100, resolutionMs: 0 });
    expect(clock.offsetMs()).toBe(2300);
    expect(clock.uncertaintyMs()).toBe(50);
    // A vaguer answer that agrees does not widen it.
    clock.addDateHeader(new Date(10_012_000).toUTCString(), 10_009_000, 10_010_000);
    expect(clock.offsetMs()).toBe(2300);
  });

  it('starts over when the clocks jump', () => {
    const clock = TestBed.inject(ServerClock);
    clock.add({ serverTime: 1_000, sentAt: 0, receivedAt: 100, resolutionMs: 0 });
    clock.add({ serverTime: 90_000, sentAt: 1_000, receivedAt: 1_100, resolutionMs: 0 });
    expect(clock.offsetMs()).toBe(88_950);
  });

  it('ignores a missing or unreadable Date header', () => {
    const clock = TestBed.inject(ServerClock);
    clock.addDateHeader(null, 0, 1);
    clock.addDateHeader('yesterday-ish', 0, 1);
    expect(clock.uncertaintyMs()).toBeNull();
  });
});
