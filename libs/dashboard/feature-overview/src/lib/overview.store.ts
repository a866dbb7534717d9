import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { Subscription, catchError, distinctUntilChanged, filter, finalize, forkJoin, map, of } from 'rxjs';

import type { Annotation, DashboardMetrics } from '@realtime/contracts';
import { CLOCK_MS, DashboardApi, ServerClock, friendlyHttpError } from '@realtime/dashboard/data-access-api';
import {
  type ConnectionState,
  DashboardStream,
  type ReceivedDashboardEvent,
  type StreamMessage,
} from '@realtime/dashboard/data-access-realtime';
import type { ChartMarker, ChartPoint, TimeWindow } from '@realtime/dashboard/ui';

import { describeConnection } from './connection-view';
import { LATENCY_SAMPLES, deliveryDelay, latencyStats } from './latency';
import { WINDOW_MS, estimateTickMs, foldStepMs, mergeMetrics, valueAgo } from './series';
import { type TimeRangeKey, bucketToMetrics, mergeAnnotations, rangeMs, toCsv } from './time-range';

/** Live ticks kept to estimate the tick period (the chart points may be folded into steps). */
const TICKS_FOR_PERIOD = 12;

/** Events that arrive this soon after (re)connecting are the snapshot or a replay, not live. */
const REPLAY_GRACE_MS = 750;

/**
 * State of the overview page: the live stream, the 15-minute history behind the charts, the
 * delivery delays and the refresh action. Provided by the page, so it lives exactly as long as
 * the page (and with it the stream subscription).
 */
@Injectable()
export class OverviewStore {
  private readonly stream = inject(DashboardStream);
  private readonly api = inject(DashboardApi);
  private readonly serverClock = inject(ServerClock);
  private readonly clock = inject(CLOCK_MS);
  private readonly destroyRef = inject(DestroyRef);

  private readonly points = signal<readonly DashboardMetrics[]>([]);
  /** The last few ticks as they arrived (not folded), for the tick period. */
  private readonly recentTicks = signal<readonly DashboardMetrics[]>([]);
  private readonly latencySamples = signal<readonly number[]>([]);
  private openedAt = 0;
  private historyRequest: Subscription | undefined;
  private clockSync: Subscription | undefined;

  readonly now = signal(this.clock());
  readonly latest = signal<DashboardMetrics | null>(null);
  readonly lastArrival = signal<number | null>(null);
  /** Metrics events received since the page opened. */
  readonly eventCount = signal(0);
  readonly refreshing = signal(false);
  readonly actionError = signal<string | null>(null);
  readonly historyError = signal<string | null>(null);
  readonly historyLoading = signal(false);

  /** The picked time range of the charts. */
  readonly rangeKey = signal<TimeRangeKey>('15m');
  readonly rangeMs = computed(() => rangeMs(this.rangeKey()));
  /** Step of the stored series shown (0: the live ticks of the last 15 minutes). */
  readonly storedStepMs = signal(0);
  /** Charts frozen at this server time (the stream keeps running; resume catches up). */
  readonly pausedAt = signal<number | null>(null);
  readonly paused = computed(() => this.pausedAt() !== null);
  /**
   * What arrived while paused, folded like the chart (one point per fold step of the range), so
   * a pause of any length holds at most about MAX_CHART_POINTS points; annotations are not held.
   */
  private held: DashboardMetrics[] = [];
  /** Metrics events received while paused. */
  readonly heldCount = signal(0);
  /**
   * The step the chart's points are folded into: the stored series' step on long ranges, and at
   * least range / MAX_CHART_POINTS, so that hours of live ticks keep the point count bounded.
   */
  readonly foldStepMs = computed(() => foldStepMs(this.rangeMs(), this.storedStepMs()));
  /** Alerts, deploys and notes of the range, and those that arrive live. */
  readonly annotations = signal<readonly Annotation[]>([]);

  readonly connection = toSignal(this.stream.state$, {
    initialValue: { kind: 'idle' } as ConnectionState,
  });
  readonly connectionView = computed(() => describeConnection(this.connection(), this.now()));

  readonly tickMs = computed(() => estimateTickMs(this.recentTicks()));
  readonly ageMs = computed(() => {
    const at = this.lastArrival();
    return at === null ? null : Math.max(0, this.now() - at);
  });
  /** No update for more than two tick periods. */
  readonly stale = computed(() => {
    const age = this.ageMs();
    return age !== null && age > 2 * this.tickMs();
  });

  /** The charts' window: frozen while paused, otherwise the range ending now. */
  readonly chartWindow = computed<TimeWindow | null>(() => {
    const at = this.pausedAt();
    return at === null ? null : { from: at - this.rangeMs(), to: at };
  });
  readonly visibleWindow = computed<TimeWindow>(() => {
    const to = this.pausedAt() ?? this.serverNow();
    return { from: to - this.rangeMs(), to };
  });
  /** Expected spacing of the chart points: the stored step on long ranges, the tick otherwise. */
  readonly chartIntervalMs = computed(() => Math.max(this.storedStepMs(), this.tickMs()));
  readonly markers = computed<ChartMarker[]>(() =>
    this.annotations().map((a) => ({
      t: a.time,
      label: a.kind.startsWith('alert-') ? a.text : `${a.kind}: ${a.text}`,
    })),
  );

  readonly ordersSeries = computed(() => this.series((m) => m.ordersPerMinute));
  readonly revenueSeries = computed(() => this.series((m) => m.revenue));
  readonly usersSeries = computed(() => this.series((m) => m.activeUsers));
  readonly ordersTrend = computed(() => this.trend((m) => m.ordersPerMinute));
  readonly usersTrend = computed(() => this.trend((m) => m.activeUsers));

  /** Delivery delays in the server's time frame: arrival + clock offset − server timestamp. */
  readonly latencyHistory = computed(() => {
    const offset = this.serverClock.offsetMs();
    return this.latencySamples().map((raw) => deliveryDelay(0, raw, offset));
  });
  readonly latency = computed(() => latencyStats(this.latencyHistory()));
  readonly clockOffsetMs = this.serverClock.offsetMs;
  readonly clockUncertaintyMs = this.serverClock.uncertaintyMs;
  readonly clockRoundTripMs = this.serverClock.roundTripMs;
  readonly clockSamples = this.serverClock.sampleCount;
  /** The current time on the server's clock: where the live charts end. */
  readonly serverNow = computed(() => this.now() + this.serverClock.offsetMs());

  constructor() {
    const ticker = setInterval(() => this.now.set(this.clock()), 1000);
    this.destroyRef.onDestroy(() => {
      clearInterval(ticker);
      this.historyRequest?.unsubscribe();
      this.clockSync?.unsubscribe();
    });
    // An action's error belongs to its moment: once the page is live again it is old news.
    this.stream.state$
      .pipe(
        map((s) => s.kind === 'connected'),
        distinctUntilChanged(),
        filter(Boolean),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe(() => this.actionError.set(null));
    this.loadHistory();
    this.stream.messages$.pipe(takeUntilDestroyed(this.destroyRef)).subscribe((m) => this.onMessage(m));
  }

  refresh(): void {
    if (this.refreshing()) return;
    this.refreshing.set(true);
    this.actionError.set(null);
    this.api
      .refresh()
      .pipe(
        finalize(() => this.refreshing.set(false)),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe({
        next: (metrics) => this.apply([metrics], this.clock()),
        error: (e: unknown) => this.actionError.set(friendlyHttpError(e, 'refresh')),
      });
  }

  reconnect(): void {
    this.stream.reconnect();
  }

  /** Shows another range: the stored history of it, with the live points appended. */
  setRange(key: TimeRangeKey): void {
    if (key === this.rangeKey()) return;
    this.rangeKey.set(key);
    this.storedStepMs.set(0);
    this.points.set([]);
    this.loadHistory();
  }

  /** Freezes the charts where they are; live events are held (the stream keeps running). */
  pause(): void {
    if (this.pausedAt() === null) this.pausedAt.set(this.serverNow());
  }

  /** Unfreezes the charts and applies every event held meanwhile. */
  resume(): void {
    if (this.pausedAt() === null) return;
    const held = this.held;
    this.held = [];
    this.heldCount.set(0);
    this.pausedAt.set(null);
    if (held.length) this.points.update((p) => mergeMetrics(p, held, this.rangeMs(), this.foldStepMs()));
  }

  /** The visible range's points as a CSV file download. */
  exportCsv(): void {
    const w = this.visibleWindow();
    const csv = toCsv(this.points(), w.from, w.to);
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `dashboard-${new Date(w.from).toISOString()}-${new Date(w.to).toISOString()}.csv`.replace(
      /:/g,
      '-',
    );
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  private onMessage(message: StreamMessage<ReceivedDashboardEvent>): void {
    if (message.kind === 'open') {
      this.openedAt = this.clock();
      // The server may be another process now (a restart, another instance): measure again.
      this.syncClock();
      // Fill what the charts missed while away (the stream's own replay covers a short gap).
      if (message.resumed) this.loadHistory();
      return;
    }
    const event = message.value;
    if (event.type === 'reset') {
      this.loadHistory();
      return;
    }
    if (event.type === 'annotation') {
      this.annotations.update((a) => mergeAnnotations(a, [event.data]));
      return;
    }
    if (event.type !== 'metrics') return;
    const metrics = event.data;
    this.eventCount.update((n) => n + 1);
    if (event.receivedAt - this.openedAt > REPLAY_GRACE_MS) {
      // Kept in the local frame; the current clock offset is applied when shown, so a better
      // estimate later corrects the earlier samples too.
      const raw = event.receivedAt - metrics.timestamp;
      this.latencySamples.update((s) => [...s, raw].slice(-LATENCY_SAMPLES));
    }
    this.apply([metrics], event.receivedAt);
  }

  private apply(metrics: DashboardMetrics[], arrivedAt: number): void {
    if (this.paused()) {
      this.held = mergeMetrics(this.held, metrics, this.rangeMs(), this.foldStepMs());
      this.heldCount.update((n) => n + metrics.length);
    } else {
      this.points.update((p) => mergeMetrics(p, metrics, this.rangeMs(), this.foldStepMs()));
    }
    this.recentTicks.update((r) => mergeMetrics(r, metrics).slice(-TICKS_FOR_PERIOD));
    const newest = metrics.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
    const current = this.latest();
    if (!current || newest.timestamp >= current.timestamp) this.latest.set(newest);
    this.lastArrival.set(arrivedAt);
    this.now.set(this.clock());
  }

  private syncClock(): void {
    this.clockSync?.unsubscribe();
    this.clockSync = this.api.syncClock().subscribe();
  }

  /**
   * Fills the charts for the picked range: the stored per-minute history (downsampled by the
   * server) with its annotations and, for the last 15 minutes, the kept ticks at full
   * resolution on top. Live points keep being appended to the same series.
   */
  private loadHistory(): void {
    this.historyRequest?.unsubscribe();
    this.historyLoading.set(true);
    const key = this.rangeKey();
    const span = rangeMs(key);
    const from = this.serverNow() - span;
    const stored$ = this.api.historyRange(from);
    const request$ =
      key === '15m'
        ? forkJoin([stored$, this.api.history(WINDOW_MS / 60_000).pipe(catchError(() => of(null)))])
        : forkJoin([stored$, of(null)]);
    this.historyRequest = request$.pipe(finalize(() => this.historyLoading.set(false))).subscribe({
      next: ([range, kept]) => {
        if (this.rangeKey() !== key) return;
        this.historyError.set(null);
        const ticks = Array.isArray(kept?.points) ? kept.points : [];
        const firstTick = ticks[0]?.timestamp ?? Infinity;
        const series = Array.isArray(range?.series) ? range.series : [];
        // Stored minutes where no kept tick is (before the API's restart, or its ring's start).
        const stored = series
          .filter((b) => b.t + range.step <= firstTick)
          .map((b) => bucketToMetrics(b, range.currency));
        this.storedStepMs.set(ticks.length && key === '15m' ? 0 : range.step);
        this.points.update((p) => mergeMetrics(p, [...stored, ...ticks], span, this.foldStepMs()));
        if (ticks.length) this.recentTicks.update((r) => mergeMetrics(r, ticks).slice(-TICKS_FOR_PERIOD));
        this.annotations.set(mergeAnnotations([], range.annotations ?? []));
        const newest = ticks[ticks.length - 1];
        const current = this.latest();
        if (newest && (!current || newest.timestamp > current.timestamp)) this.latest.set(newest);
      },
      error: (e: unknown) =>
        this.historyError.set(`Couldn't load the history. ${friendlyHttpError(e, 'load history')}`),
    });
  }

  private series(pick: (m: DashboardMetrics) => number): ChartPoint[] {
    return this.points().map((m) => ({ t: m.timestamp, v: pick(m) }));
  }

  private trend(pick: (m: DashboardMetrics) => number): number | null {
    const points = this.points();
    const before = valueAgo(points, 5 * 60_000, pick);
    const latest = this.latest();
    return before === null || !latest ? null : pick(latest) - before;
  }
}
