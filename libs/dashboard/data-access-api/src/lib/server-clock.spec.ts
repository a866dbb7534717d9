import { TestBed } from '@angular/core/testing';

import { ServerClock } from './server-clock';

describe('ServerClock', () => {
  it('takes the midpoint of the request and keeps the most precise sample', () => {
    const clock = TestBed.inject(ServerClock);
    expect(clock.offsetMs()).toBe(0);
    // Server 2 s ahead, 200 ms round trip, Date header rounded down to the second.
    clock.addDateHeader(new Date(10_000_000 + 2_000).toUTCString(), 9_999_900, 10_000_100);
    expect(clock.offsetMs()).toBe(2_500);
    expect(clock.uncertaintyMs()).toBe(600);
    clock.add({ serverTime: 10_002_050, sentAt: 10_000_000, receivedAt: 10_000_100, resolutionMs: 0 });
    expect(clock.offsetMs()).toBe(2_000);
    expect(clock.uncertaintyMs()).toBe(50);
    // A worse sample does not replace it.
    clock.add({ serverTime: 0, sentAt: 0, receivedAt: 5_000, resolutionMs: 0 });
    expect(clock.offsetMs()).toBe(2_000);
  });

  it('ignores a missing or unreadable Date header', () => {
    const clock = TestBed.inject(ServerClock);
    clock.addDateHeader(null, 0, 1);
    clock.addDateHeader('yesterday-ish', 0, 1);
    expect(clock.uncertaintyMs()).toBeNull();
  });
});
