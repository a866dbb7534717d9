import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  computed,
  effect,
  inject,
  input,
  viewChild,
} from '@angular/core';
import {
  type ChartConfiguration,
  type ChartData,
  Filler,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  type Scale,
  TimeScale,
  Tooltip,
} from 'chart.js';
// Registers the date adapter that chart.js's time scale needs.
import 'chartjs-adapter-date-fns';
import { BaseChartDirective, provideCharts } from 'ng2-charts';

import { formatClock } from '@realtime/dashboard/util-format';

import { bandsPlugin } from './chart-bands-plugin';
import {
  type ChartBand,
  type ChartMarker,
  type ChartPoint,
  type TimeWindow,
  describeSpan,
  findGaps,
  liveWindow,
  timeTicks,
  typicalSpacing,
} from './time-axis';

/** Minimum width of one time label, px: decides how many ticks fit. */
const TICK_LABEL_PX = 72;

/**
 * One series over time on chart.js's time scale: round, evenly spaced time ticks, no smoothing
 * (straight or stepped segments between real samples), the line broken and the stretch shaded
 * wherever no sample arrived, exact values in the tooltip, and a skeleton until there is data.
 *
 * The chart is created once. New points are appended to its dataset in place (chart.js then
 * parses only those) and it redraws without animation.
 *
 * Live: the window is `windowMs` ending at `now` (or the newest point). `range` fixes the window
 * instead (a picked range, a paused chart); `bands` and `markers` add annotations.
 */
@Component({
  selector: 'rt-line-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [BaseChartDirective],
  // Only what a time-series line chart needs: keeps chart.js small in the bundle.
  providers: [
    provideCharts({
      registerables: [LineController, LineElement, PointElement, LinearScale, TimeScale, Filler, Tooltip],
    }),
  ],
  template: `
    <canvas
      baseChart
      type="line"
      [data]="data"
      [options]="options"
      [plugins]="plugins"
      [class.hidden]="empty()"
      role="img"
      [attr.aria-label]="summary()"
    ></canvas>
    @if (empty()) {
      <div class="skeleton" [class.loading]="loading()" data-testid="chart-skeleton">
        <span>{{ loading() ? 'Loading…' : 'No data yet' }}</span>
      </div>
    }
  `,
  styles: `
    :host {
      display: block;
      position: relative;
      height: var(--chart-height, 11rem);
    }
    canvas.hidden {
      visibility: hidden;
    }
    .skeleton {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      border-radius: 0.5rem;
      color: var(--muted);
      font-size: 0.8125rem;
      background: linear-gradient(
        90deg,
        color-mix(in srgb, var(--muted) 8%, transparent) 0%,
        color-mix(in srgb, var(--muted) 16%, transparent) 50%,
        color-mix(in srgb, var(--muted) 8%, transparent) 100%
      );
      background-size: 200% 100%;
    }
    .skeleton.loading {
      animation: shimmer 1.4s ease-in-out infinite;
    }
    @keyframes shimmer {
      from {
        background-position: 100% 0;
      }
      to {
        background-position: -100% 0;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .skeleton.loading {
        animation: none;
      }
    }
  `,
})
export class LineChart {
  readonly points = input.required<readonly ChartPoint[]>();
  readonly label = input.required<string>();
  /** A colour, or `var(--name)` read from the page (follows the theme). */
  readonly color = input('var(--accent)');
  readonly windowMs = input(15 * 60_000);
  /** End of the live window (epoch ms), normally the current time; null: the newest point. */
  readonly now = input<number | null>(null);
  /** A fixed window instead of the live one. */
  readonly range = input<TimeWindow | null>(null);
  /** Expected time between points; null: measured from the points. Gaps are > 2× this (as long as a value takes to be called stale). */
  readonly intervalMs = input<number | null>(null);
  readonly formatValue = input<(v: number) => string>((v) => String(v));
  /** Tooltip and summary figures (exact, where the axis may round). */
  readonly formatExact = input<((v: number) => string) | null>(null);
  /** Counts (users, orders): whole-number ticks and a stepped line (a count holds until the next sample). */
  readonly integer = input(false);
  /** `zero`: the axis starts at 0; `data`: the axis fits the data's range (a total that only grows). */
  readonly baseline = input<'zero' | 'data'>('zero');
  /** No points yet because they are being fetched: a moving skeleton. */
  readonly loading = input(false);
  readonly bands = input<readonly ChartBand[]>([]);
  readonly markers = input<readonly ChartMarker[]>([]);

  private readonly host = inject(ElementRef<HTMLElement>).nativeElement as HTMLElement;
  private readonly chart = viewChild(BaseChartDirective);

  readonly empty = computed(() => this.points().length === 0);
  readonly spacing = computed(() => this.intervalMs() ?? typicalSpacing(this.points(), 5000));
  readonly window = computed(() => this.range() ?? liveWindow(this.points(), this.windowMs(), this.now()));
  readonly gaps = computed(() => {
    const w = this.window();
    // A live window ends now: no data since the last point is a gap too.
    return findGaps(this.points(), 2 * this.spacing(), this.range() ? undefined : w.to);
  });
  /** What the window spans, for the title ("last 3 min" while only 3 minutes of data exist). */
  readonly spanText = computed(() => {
    const w = this.window();
    return describeSpan(w.to - w.from);
  });

  readonly summary = computed(() => {
    const pts = this.points();
    const fmt = this.formatExact() ?? this.formatValue();
    const last = pts[pts.length - 1];
    if (!last) return `${this.label()}: no data yet`;
    const gaps = this.gaps();
    const gapText = gaps.length
      ? `; no data ${gaps.map((g) => `${formatClock(g.from, true)}–${formatClock(g.to, true)}`).join(', ')}`
      : '';
    return `${this.label()}, ${this.spanText()}: ${fmt(last.v)} at ${formatClock(last.t, true)}${gapText}`;
  });

  readonly data: ChartData<'line', ChartPoint[]> = {
    datasets: [
      {
        data: [],
        label: '',
        borderWidth: 2,
        pointRadius: 0,
        pointHoverRadius: 4,
        pointHitRadius: 6,
        // Straight or stepped segments between real samples: no curve invents values.
        tension: 0,
        fill: 'origin',
      },
    ],
  };

  readonly plugins = [
    bandsPlugin({
      bands: () => [...this.gaps(), ...this.bands()],
      markers: () => this.markers(),
      colors: () => this.colors(),
    }),
  ];

  readonly options: ChartConfiguration<'line', ChartPoint[]>['options'] = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    normalized: true,
    parsing: { xAxisKey: 't', yAxisKey: 'v' },
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    layout: { padding: { top: 4, right: 8 } },
    scales: {
      x: {
        type: 'time',
        // chart.js builds ticks from the data; afterBuildTicks replaces them with round times.
        ticks: {
          source: 'data',
          autoSkip: false,
          maxRotation: 0,
          color: '#5f6b7a',
          callback: (_label, index, ticks) => this.tickLabel(ticks[index]?.value),
        },
        afterBuildTicks: (scale: Scale) => {
          const { ticks, withSeconds } = timeTicks(
            scale.min,
            scale.max,
            Math.max(2, scale.width / TICK_LABEL_PX),
          );
          this.tickHasSeconds = withSeconds;
          scale.ticks = ticks.map((value) => ({ value }));
        },
        grid: { display: false },
        border: { display: false },
      },
      y: {
        beginAtZero: true,
        grace: '10%',
        border: { display: false },
        grid: { color: 'rgba(95,107,122,0.18)' },
        ticks: { color: '#5f6b7a', maxTicksLimit: 5, callback: (v) => this.formatValue()(Number(v)) },
      },
    },
    plugins: {
      legend: { display: false },
      tooltip: {
        displayColors: false,
        callbacks: {
          title: (items) => (items[0] ? this.tooltipTime(items[0].parsed.x ?? 0) : ''),
          label: (item) =>
            `${this.label()}: ${(this.formatExact() ?? this.formatValue())(item.parsed.y ?? 0)}`,
        },
      },
    },
  };

  private tickHasSeconds = false;

  constructor() {
    effect(() => {
      const points = this.points();
      const w = this.window();
      const integer = this.integer();
      const baseline = this.baseline();
      const spacing = this.spacing();
      // Read so that the effect redraws when they change.
      this.gaps();
      this.bands();
      this.markers();
      this.label();
      const chart = this.chart()?.chart;
      const dataset = this.data.datasets[0];
      appendInPlace(dataset.data, points);
      dataset.label = this.label();
      dataset.stepped = integer ? 'before' : false;
      // A pair of samples further apart than this is not joined: the line breaks there.
      dataset.spanGaps = 2 * spacing;
      const colors = this.colors();
      dataset.borderColor = colors.line;
      dataset.backgroundColor = colors.fill;
      dataset.fill = baseline === 'zero' ? 'origin' : 'start';
      for (const scales of [this.options?.scales, chart?.options.scales]) {
        const x = scales?.['x'];
        if (x) {
          x.min = w.from;
          x.max = w.to;
          if (x.ticks) x.ticks.color = colors.text;
        }
        const y = scales?.['y'];
        if (y) {
          (y as { beginAtZero?: boolean }).beginAtZero = baseline === 'zero';
          if (y.ticks) {
            y.ticks.color = colors.text;
            (y.ticks as { precision?: number }).precision = integer ? 0 : undefined;
          }
          if (y.grid) y.grid.color = colors.grid;
          const range = baseline === 'data' ? dataRange(points, w) : null;
          // A count of 0 everywhere still gets an axis up to 1, not 0 … 0.
          (y as { suggestedMax?: number }).suggestedMax = range ? range.max : integer ? 1 : undefined;
          (y as { suggestedMin?: number }).suggestedMin = range?.min;
          (y as { grace?: string | number }).grace = range ? 0 : '10%';
        }
      }
      chart?.update('none');
    });
  }

  private tickLabel(value: number | undefined): string {
    return value === undefined ? '' : formatClock(value, this.tickHasSeconds);
  }

  private tooltipTime(t: number): string {
    const w = this.window();
    const time = formatClock(t, true);
    return w.to - w.from > 20 * 3_600_000 ? `${new Date(t).toLocaleDateString()} ${time}` : time;
  }

  /** Colours from the page's CSS variables, so the chart follows the theme. */
  private colors(): { line: string; fill: string; text: string; grid: string; band: string; note: string } {
    const style = typeof getComputedStyle === 'function' ? getComputedStyle(this.host) : null;
    const read = (name: string, fallback: string) => style?.getPropertyValue(name).trim() || fallback;
    const raw = this.color();
    const line = raw.startsWith('var(') ? read(raw.slice(4, -1).trim(), '#4f46e5') : raw;
    const text = read('--muted', '#5f6b7a');
    return {
      line,
      fill: withAlpha(line, 0.13),
      text,
      grid: withAlpha(text, 0.18),
      band: withAlpha(text, 0.12),
      note: withAlpha(read('--warn', '#b45309'), 0.12),
    };
  }
}

/**
 * Makes `target` hold `points`: when `points` continues it (the same samples, maybe some old ones
 * dropped from the front, new ones after), only the difference is spliced and pushed, so chart.js
 * parses only the new samples; otherwise it is refilled.
 */
export function appendInPlace(target: ChartPoint[], points: readonly ChartPoint[]): void {
  const start = points.length ? target.findIndex((p) => p.t === points[0].t) : -1;
  const kept = start < 0 ? 0 : target.length - start;
  const last = target[target.length - 1];
  const continues =
    start >= 0 && kept <= points.length && points[kept - 1].t === last.t && points[kept - 1].v === last.v;
  if (!continues) {
    target.splice(0, target.length, ...points.map((p) => ({ t: p.t, v: p.v })));
    return;
  }
  if (start > 0) target.splice(0, start);
  for (let i = kept; i < points.length; i++) target.push({ t: points[i].t, v: points[i].v });
}

/**
 * The axis range of a `data` baseline: the visible values with 10% room either side, but never
 * below 0 when no value is (a total of $3,000 gets an axis from $0 or above, never from −$2K).
 */
export function dataRange(points: readonly ChartPoint[], w: TimeWindow): { min: number; max: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (p.t < w.from || p.t > w.to) continue;
    lo = Math.min(lo, p.v);
    hi = Math.max(hi, p.v);
  }
  if (lo > hi) return null;
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.05 || 1;
  return { min: lo >= 0 ? Math.max(0, lo - pad) : lo - pad, max: hi + pad };
}

/** `#rrggbb` or `rgb(…)` with an alpha; anything else as it is. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const rgb = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(color);
  if (rgb) return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})`;
  return color;
}
