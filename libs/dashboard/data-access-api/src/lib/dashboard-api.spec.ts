import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';

import { DashboardApi } from './dashboard-api';
import { CLOCK_MS, ServerClock } from './server-clock';

describe('DashboardApi.syncClock', () => {
  it('reads the server clock several times, one after the other, and the estimate rests on the fastest', () => {
    let now = 50_000;
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: CLOCK_MS, useValue: () => now },
      ],
    });
    const api = TestBed.inject(DashboardApi);
    const http = TestBed.inject(HttpTestingController);
    const clock = TestBed.inject(ServerClock);
    const OFFSET = -653;
    let done = false;
    api.syncClock(3).subscribe({ complete: () => (done = true) });

    // A fake network: round trips of 300, 8 and 60 ms; the server reads its clock on the way.
    for (const [up, down] of [
      [200, 100],
      [5, 3],
      [20, 40],
    ]) {
      const req = http.expectOne('/api/dashboard/snapshot');
      const serverTime = now + up + OFFSET;
      now += up + down;
      req.flush({ timestamp: serverTime });
    }
    http.verify();
    expect(done).toBe(true);
    expect(clock.roundTripMs()).toBe(8);
    expect(clock.uncertaintyMs()).toBe(4);
    expect(Math.abs(clock.offsetMs() - OFFSET)).toBeLessThanOrEqual(4);
  });

  it('ends quietly when the server cannot be reached', () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    const http = TestBed.inject(HttpTestingController);
    let done = false;
    TestBed.inject(DashboardApi)
      .syncClock(3)
      .subscribe({ complete: () => (done = true) });
    http.expectOne('/api/dashboard/snapshot').flush(null, { status: 502, statusText: 'Bad Gateway' });
    expect(done).toBe(true);
    http.verify();
  });
});
