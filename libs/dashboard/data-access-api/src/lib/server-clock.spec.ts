import { TestBed } from '@angular/core/testing';

import { ServerClock } from './server-clock';

describe('ServerClock', () => {
  it('rests on the tightest recent sample: a Date header at first, a fast precise answer once there is one', () => {
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
    expect(clock.roundTripMs()).toBe(100);
    // A slower one does not make it worse.
    clock.add({ serverTime: 10_012_600, sentAt: 10_010_000, receivedAt: 10_010_400, resolutionMs: 0 });
    expect(clock.uncertaintyMs()).toBe(50);
    expect(clock.sampleCount()).toBe(3);
  });

  it('forgets old samples, so a clock that jumped is followed', () => {
    const clock = TestBed.inject(ServerClock);
    clock.add({ serverTime: 1_000, sentAt: 0, receivedAt: 2, resolutionMs: 0 });
    for (let i = 1; i <= 16; i++)
      clock.add({
        serverTime: 90_000 + i * 1000,
        sentAt: i * 1000,
        receivedAt: i * 1000 + 100,
        resolutionMs: 0,
      });
    expect(clock.offsetMs()).toBe(89_950);
  });

  it('ignores a missing or unreadable Date header', () => {
    const clock = TestBed.inject(ServerClock);
    clock.addDateHeader(null, 0, 1);
    clock.addDateHeader('yesterday-ish', 0, 1);
    expect(clock.uncertaintyMs()).toBeNull();
  });
});
