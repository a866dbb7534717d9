import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';

import type { ComponentHealth, SystemStatus } from '@realtime/contracts';
import {
  LineChart,
  MetricCard,
  StatusPill,
  type Tone,
  describeSpan,
  liveWindow,
} from '@realtime/dashboard/ui';
import {
  formatAgo,
  formatCurrency,
  formatCurrencyCompact,
  formatDecimal,
  formatInteger,
} from '@realtime/dashboard/util-format';

import { LatencyPanel } from './latency-panel';
import { OverviewStore } from './overview.store';
import { TIME_RANGES } from './time-range';

const STATUS_TONE: Record<SystemStatus, Tone> = { operational: 'ok', degraded: 'warn', down: 'down' };
const STATUS_LABEL: Record<SystemStatus, string> = {
  operational: 'Operational',
  degraded: 'Degraded',
  down: 'Down',
};
const COMPONENT_TONE: Record<ComponentHealth['state'], Tone> = {
  ok: 'ok',
  degraded: 'warn',
  down: 'down',
  disabled: 'neutral',
};

/** The live overview: metric cards, 15-minute charts, connection state and delivery latency. */
@Component({
  selector: 'rt-overview-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LineChart, MetricCard, StatusPill, LatencyPanel],
  providers: [OverviewStore],
  templateUrl: './overview-page.html',
  styleUrl: './overview-page.css',
})
export class OverviewPage {
  protected readonly store = inject(OverviewStore);
  protected readonly ranges = TIME_RANGES;
  protected readonly view = this.store.connectionView;

  protected readonly m = this.store.latest;
  protected readonly currency = computed(() => this.m()?.currency ?? 'USD');

  protected readonly activeUsers = computed(() => {
    const m = this.m();
    return m ? formatInteger(m.activeUsers) : null;
  });
  protected readonly ordersPerMinute = computed(() => {
    const m = this.m();
    return m ? formatDecimal(m.ordersPerMinute, m.ordersPerMinute % 1 === 0 ? 0 : 1) : null;
  });
  protected readonly revenue = computed(() => {
    const m = this.m();
    return m ? formatCurrency(m.revenue, m.currency) : null;
  });
  /** The figures' age while they are stale ("12 s ago"), for the cards. */
  protected readonly staleAge = computed(() => {
    const age = this.store.ageMs();
    return this.store.stale() && age !== null ? formatAgo(age) : null;
  });
  /** Whether the figures are current: connected, and the last one is not stale. */
  protected readonly live = computed(
    () => this.store.connection().kind === 'connected' && !this.store.stale(),
  );
  /**
   * The system status as far as we know it. While the page is not live, the last "Operational"
   * would be a guess: it says so instead, and names the last known state in the hint.
   */
  protected readonly status = computed(() => {
    const m = this.m();
    if (!m) return null;
    const known = {
      label: STATUS_LABEL[m.systemStatus] ?? m.systemStatus,
      tone: STATUS_TONE[m.systemStatus],
    };
    if (this.live()) return { ...known, hint: null };
    const kind = this.store.connection().kind;
    const label =
      kind === 'offline'
        ? 'Offline'
        : kind === 'unauthorized'
          ? 'Signed out'
          : kind === 'idle' || kind === 'connecting'
            ? 'Connecting…'
            : kind === 'connected'
              ? 'No recent data'
              : 'Disconnected';
    const age = this.store.ageMs();
    const ago = age === null ? '' : `, ${formatAgo(age)}`;
    return { label, tone: 'warn' as Tone, hint: `Last known: ${known.label}${ago}` };
  });
  protected readonly components = computed(() =>
    Object.entries(this.m()?.components ?? {}).map(([name, c]) => ({
      name,
      tone: COMPONENT_TONE[c.state] ?? 'neutral',
      state: c.state,
      value:
        c.value === null || c.value === undefined
          ? ''
          : `${formatDecimal(c.value, c.value % 1 === 0 ? 0 : 1)}${c.unit ? ` ${c.unit}` : ''}`,
      detail: c.detail ?? '',
    })),
  );

  /** No figures yet while they are on their way (not when the server cannot be reached). */
  protected readonly loadingFigures = computed(
    () => this.m() === null && (this.store.historyLoading() || this.view().pulse),
  );

  protected readonly updated = computed(() => {
    const age = this.store.ageMs();
    return age === null ? 'Waiting for data…' : `Updated ${formatAgo(age)}`;
  });

  protected readonly ordersHint = computed(() => this.trendText(this.store.ordersTrend(), 1));
  protected readonly usersHint = computed(() => this.trendText(this.store.usersTrend(), 0));

  protected readonly fmtOrders = (v: number) => formatDecimal(v, v % 1 === 0 ? 0 : 1);
  protected readonly fmtUsers = (v: number) => formatInteger(v);
  protected readonly fmtRevenue = (v: number) => formatCurrencyCompact(v, this.currency());
  protected readonly fmtRevenueExact = (v: number) => formatCurrency(v, this.currency());

  /** The charts' title range: what the data covers, up to the picked range. */
  protected readonly rangeText = computed(() => {
    const w =
      this.store.chartWindow() ??
      liveWindow(this.store.ordersSeries(), this.store.rangeMs(), this.store.serverNow());
    const label = TIME_RANGES.find((r) => r.key === this.store.rangeKey())?.label ?? '15 min';
    const text = this.store.ordersSeries().length ? describeSpan(w.to - w.from) : `last ${label}`;
    return this.store.paused() ? `${text} · paused` : text;
  });

  private trendText(delta: number | null, digits: number): string {
    if (delta === null) return 'Trend after 5 minutes of data';
    if (Math.abs(delta) < 10 ** -digits / 2) return 'No change vs 5 min ago';
    const sign = delta > 0 ? '▲ +' : '▼ −';
    return `${sign}${formatDecimal(Math.abs(delta), digits)} vs 5 min ago`;
  }
}
