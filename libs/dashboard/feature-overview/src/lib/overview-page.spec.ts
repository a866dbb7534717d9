import { HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { BehaviorSubject, EMPTY, Subject, of, throwError } from 'rxjs';

import type { DashboardMetrics } from '@realtime/contracts';
import { CLOCK_MS, DashboardApi } from '@realtime/dashboard/data-access-api';
import {
  type ConnectionState,
  DashboardStream,
  type ReceivedDashboardEvent,
  type StreamMessage,
} from '@realtime/dashboard/data-access-realtime';

import { OverviewPage } from './overview-page';
import { OverviewStore } from './overview.store';

const metrics = (timestamp: number, patch: Partial<DashboardMetrics> = {}): DashboardMetrics => ({
  activeUsers: 3,
  ordersPerMinute: 12,
  revenue: 1234.5,
  currency: 'EUR',
  systemStatus: 'degraded',
  components: {
    database: { state: 'ok', value: 2, unit: 'ms' },
    heap: { state: 'degraded', value: 900, unit: 'MB' },
  },
  timestamp,
  ...patch,
});

describe('OverviewPage', () => {
  let messages: Subject<StreamMessage<ReceivedDashboardEvent>>;
  let state: BehaviorSubject<ConnectionState>;
  let api: {
    history: jest.Mock;
    historyRange: jest.Mock;
    refresh: jest.Mock;
    snapshot: jest.Mock;
    syncClock: jest.Mock;
  };
  let now: number;
  const reconnect = jest.fn();

  async function render() {
    TestBed.configureTestingModule({
      imports: [OverviewPage],
      providers: [
        { provide: DashboardStream, useValue: { messages$: messages, state$: state, reconnect } },
        { provide: DashboardApi, useValue: api },
        { provide: CLOCK_MS, useValue: () => now },
      ],
    });
    const fixture = TestBed.createComponent(OverviewPage);
    fixture.detectChanges();
    return fixture;
  }
  const text = (el: HTMLElement, testId: string) =>
    el.querySelector(`[data-testid=${testId}]`)?.textContent?.replace(/\s+/g, ' ').trim();

  beforeEach(() => {
    jest.useFakeTimers({ now: 100_000 });
    now = 100_000;
    messages = new Subject();
    state = new BehaviorSubject<ConnectionState>({ kind: 'connecting' });
    api = {
      history: jest.fn(() => of({ retentionMinutes: 15, points: [metrics(90_000), metrics(95_000)] })),
      historyRange: jest.fn(() =>
        of({
          from: 0,
          to: 100_000,
          step: 60_000,
          retentionDays: 30,
          currency: 'USD',
          series: [],
          annotations: [],
        }),
      ),
      refresh: jest.fn(),
      snapshot: jest.fn(),
      syncClock: jest.fn(() => EMPTY),
    };
    reconnect.mockReset();
  });
  afterEach(() => jest.useRealTimers());

  it('backfills from history, then shows live metrics with currency and component breakdown', async () => {
    const fixture = await render();
    const el = fixture.nativeElement as HTMLElement;
    expect(api.history).toHaveBeenCalledWith(15);
    state.next({ kind: 'connected', since: now });
    messages.next({ kind: 'open', resumed: false });
    messages.next({
      kind: 'event',
      value: { type: 'metrics', id: '7', data: metrics(100_000, { activeUsers: 5 }), receivedAt: now },
    });
    fixture.detectChanges();
    expect(text(el, 'metric-active-users')).toContain('5');
    expect(text(el, 'metric-revenue')).toContain('€1,234.50');
    expect(text(el, 'metric-status')).toContain('Degraded');
    expect(text(el, 'metric-status')).toContain('database');
    expect(text(el, 'connection-status')).toBe('Live');
    expect(el.querySelector('[data-testid=chart-orders]')?.getAttribute('data-points')).toBe('3');
    expect(text(el, 'updated')).toBe('Updated just now');

    now += 3_000;
    jest.advanceTimersByTime(3_000);
    fixture.detectChanges();
    expect(text(el, 'updated')).toBe('Updated 3 s ago');

    // Stale after more than two ticks (5 s here) without an update.
    now += 8_000;
    jest.advanceTimersByTime(8_000);
    fixture.detectChanges();
    expect(text(el, 'updated')).toContain('stale');
  });

  it('says when it retries, and offers Reconnect after giving up', async () => {
    const fixture = await render();
    const el = fixture.nativeElement as HTMLElement;
    state.next({ kind: 'reconnecting', attempt: 3, maxAttempts: 5, retryAt: now + 4000, reason: 'lost' });
    fixture.detectChanges();
    expect(text(el, 'connection-status')).toBe('Reconnecting (attempt 3 of 5)');
    expect(text(el, 'connection-message')).toBe("Can't reach the server. Retrying in 4 s…");
    expect(el.querySelector('[data-testid=reconnect]')).toBeNull();

    state.next({ kind: 'disconnected', reason: 'lost' });
    fixture.detectChanges();
    (el.querySelector('[data-testid=reconnect]') as HTMLButtonElement).click();
    expect(reconnect).toHaveBeenCalled();
  });

  it('picks a range from the stored history, pauses and resumes the live updates, draws live annotations', async () => {
    const bucket = (t: number, v: number) => {
      const summary = { avg: v, min: v, max: v };
      return {
        t,
        samples: 12,
        activeUsers: summary,
        ordersPerMinute: summary,
        revenue: summary,
        ordersToday: summary,
        systemStatus: 'operational',
      };
    };
    const fixture = await render();
    const el = fixture.nativeElement as HTMLElement;
    const attr = (id: string, name: string) => el.querySelector(`[data-testid=${id}]`)?.getAttribute(name);
    const click = (id: string) => {
      (el.querySelector(`[data-testid=${id}]`) as HTMLButtonElement).click();
      fixture.detectChanges();
    };
    api.historyRange.mockReturnValueOnce(
      of({
        from: 0,
        to: 100_000,
        step: 300_000,
        retentionDays: 30,
        currency: 'USD',
        series: [bucket(-600_000, 1), bucket(-300_000, 2)],
        annotations: [
          { id: 1, time: -300_000, kind: 'deploy', text: 'v2', createdBy: { system: true }, createdAt: '' },
        ],
      }),
    );
    click('range-24h');
    expect(api.historyRange).toHaveBeenLastCalledWith(100_000 - 86_400_000);
    expect(attr('range-24h', 'aria-pressed')).toBe('true');
    expect(attr('chart-orders', 'data-points')).toBe('2');
    expect(attr('chart-orders', 'data-markers')).toBe('1');

    const tick = (t: number) =>
      messages.next({
        kind: 'event',
        value: { type: 'metrics', id: String(t), data: metrics(t), receivedAt: now },
      });
    tick(100_000);
    fixture.detectChanges();
    expect(attr('chart-orders', 'data-points')).toBe('3'); // appended to the same series

    click('pause');
    tick(105_000);
    tick(110_000);
    messages.next({
      kind: 'event',
      value: {
        type: 'annotation',
        id: '111',
        data: {
          id: 2,
          time: 108_000,
          kind: 'alert-firing',
          text: 'Alert: x',
          createdBy: { system: true },
          createdAt: '',
        },
        receivedAt: now,
      },
    });
    fixture.detectChanges();
    expect(attr('chart-orders', 'data-points')).toBe('3');
    expect(text(el, 'paused-note')).toContain('2 update(s) waiting');
    expect(attr('chart-orders', 'data-markers')).toBe('2');
    click('resume');
    // The held ticks fall in the 5-minute step of the live one: folded into it, not appended.
    expect(attr('chart-orders', 'data-points')).toBe('3');
    expect(el.querySelector('[data-testid=paused-note]')).toBeNull();
    tick(300_000);
    fixture.detectChanges();
    expect(attr('chart-orders', 'data-points')).toBe('4'); // the next step: a new point
  });

  it('keeps the chart and the paused queue bounded over hours of ticks, and resume catches up', async () => {
    const step = 7_200_000;
    api.historyRange.mockReturnValue(
      of({ from: 0, to: 100_000, step, retentionDays: 30, currency: 'USD', series: [], annotations: [] }),
    );
    const fixture = await render();
    const el = fixture.nativeElement as HTMLElement;
    const store = fixture.debugElement.injector.get(OverviewStore);
    const points = () => Number(el.querySelector('[data-testid=chart-orders]')?.getAttribute('data-points'));
    let t = 100_000;
    const ticks = (n: number, orders = 12) => {
      for (let i = 0; i < n; i++) {
        t += 5000;
        messages.next({
          kind: 'event',
          value: {
            type: 'metrics',
            id: String(t),
            data: metrics(t, { ordersPerMinute: orders }),
            receivedAt: now,
          },
        });
      }
      fixture.detectChanges();
    };
    // 15 min: 3,000 ticks (4 h 10 min) keep the window's 180 ticks and the two kept ones at most.
    ticks(3000);
    expect(points()).toBeLessThanOrEqual((15 * 60_000) / 5000 + 1);

    (el.querySelector('[data-testid=range-30d]') as HTMLButtonElement).click();
    fixture.detectChanges();
    expect(store.foldStepMs()).toBe(step);
    const from = t;
    ticks(3000);
    expect(points()).toBe(Math.floor(t / step) - Math.floor((from + 5000) / step) + 1);

    // Paused for 3,000 ticks: one held point per step, and resume shows the newest value.
    (el.querySelector('[data-testid=pause]') as HTMLButtonElement).click();
    const before = points();
    ticks(3000, 99);
    expect(store.heldCount()).toBe(3000);
    expect(store['held'].length).toBeLessThanOrEqual(Math.ceil((3000 * 5000) / step) + 1);
    expect(points()).toBe(before);
    (el.querySelector('[data-testid=resume]') as HTMLButtonElement).click();
    fixture.detectChanges();
    expect(points()).toBeGreaterThan(before);
    expect(store.latest()?.timestamp).toBe(t);
    expect(store.ordersSeries().at(-1)?.v).toBe(99);
  });

  it('reloads history after a reconnect', async () => {
    await render();
    messages.next({ kind: 'open', resumed: false });
    expect(api.history).toHaveBeenCalledTimes(1);
    messages.next({ kind: 'open', resumed: true });
    expect(api.history).toHaveBeenCalledTimes(2);
  });

  it('refreshes with a busy state and reports failures in words', async () => {
    const result = new Subject<DashboardMetrics>();
    api.refresh.mockReturnValueOnce(result);
    const fixture = await render();
    const el = fixture.nativeElement as HTMLElement;
    const button = el.querySelector('[data-testid=refresh]') as HTMLButtonElement;
    button.click();
    fixture.detectChanges();
    expect(button.disabled).toBe(true);
    expect(button.textContent).toContain('Refreshing…');
    result.next(metrics(101_000, { ordersPerMinute: 42 }));
    result.complete();
    fixture.detectChanges();
    expect(button.disabled).toBe(false);
    expect(text(el, 'metric-orders')).toContain('42');

    api.refresh.mockReturnValueOnce(throwError(() => new HttpErrorResponse({ status: 0 })));
    button.click();
    fixture.detectChanges();
    expect(el.querySelector('[role=alert]')?.textContent).toContain("Can't reach the server");
    expect(el.textContent).not.toContain('[object Object]');
  });

  it('while not live: stale figures with their age, the status says so, and an old error goes once live', async () => {
    const fixture = await render();
    const el = fixture.nativeElement as HTMLElement;
    state.next({ kind: 'connected', since: now });
    messages.next({ kind: 'open', resumed: false });
    messages.next({
      kind: 'event',
      value: {
        type: 'metrics',
        id: '7',
        data: metrics(100_000, { systemStatus: 'operational' }),
        receivedAt: now,
      },
    });
    api.refresh.mockReturnValueOnce(throwError(() => new HttpErrorResponse({ status: 500 })));
    (el.querySelector('[data-testid=refresh]') as HTMLButtonElement).click();
    fixture.detectChanges();
    expect(text(el, 'metric-status')).toContain('Operational');
    expect(el.querySelector('[data-testid=stale]')).toBeNull();
    expect(text(el, 'action-error')).toContain('HTTP 500');

    // The API goes away: at once the status stops claiming "Operational".
    state.next({ kind: 'reconnecting', attempt: 1, maxAttempts: 5, retryAt: now + 1000, reason: 'lost' });
    fixture.detectChanges();
    expect(text(el, 'metric-status')).toContain('Disconnected');
    expect(text(el, 'metric-status')).toContain('Last known: Operational');

    // Two ticks (5 s each) without an update: every figure is stale, with its age.
    now += 11_000;
    jest.advanceTimersByTime(11_000);
    fixture.detectChanges();
    for (const id of ['metric-active-users', 'metric-orders', 'metric-revenue'])
      expect(text(el, id)).toContain('Stale · 11 s ago');

    // Live again: the refresh error of before is gone; new data ends the staleness.
    state.next({ kind: 'connected', since: now });
    messages.next({
      kind: 'event',
      value: {
        type: 'metrics',
        id: '8',
        data: metrics(111_000, { systemStatus: 'operational' }),
        receivedAt: now,
      },
    });
    fixture.detectChanges();
    expect(el.querySelector('[data-testid=action-error]')).toBeNull();
    expect(el.querySelector('[data-testid=stale]')).toBeNull();
    expect(text(el, 'metric-status')).toContain('Operational');
  });
});
