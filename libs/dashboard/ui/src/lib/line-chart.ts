import { ChangeDetectionStrategy, Component, computed, effect, input, viewChild } from '@angular/core';
import {
  type ChartConfiguration,
  type ChartData,
  Filler,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import { BaseChartDirective, provideCharts } from 'ng2-charts';

import { formatClock } from '@realtime/dashboard/util-format';

export interface ChartPoint {
  /** Epoch ms. */
  x: number;
  y: number;
}

/**
 * A line chart of one series over a moving time window, drawn by ng2-charts. The chart is
 * created once; new points replace the dataset's data and the chart redraws without
 * animation, so it never flickers or re-creates its canvas.
 */
@Component({
  selector: 'rt-line-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [BaseChartDirective],
  // Only what a line chart needs: keeps chart.js small in the bundle.
  providers: [
    provideCharts({
      registerables: [LineController, LineElement, PointElement, LinearScale, Filler, Tooltip],
    }),
  ],
  template: `
    <canvas
      baseChart
      type="line"
      [data]="data"
      [options]="options"
      role="img"
      [attr.aria-label]="summary()"
    ></canvas>
  `,
  styles: `
    :host {
      display: block;
      position: relative;
      height: var(--chart-height, 11rem);
    }
  `,
})
export class LineChart {
  readonly points = input.required<readonly ChartPoint[]>();
  readonly label = input.required<string>();
  readonly color = input('#6366f1');
  readonly windowMs = input(15 * 60_000);
  readonly formatValue = input<(v: number) => string>((v) => String(v));
  /** Counts (users, orders) get whole-number ticks only. */
  readonly integer = input(false);

  private readonly chart = viewChild(BaseChartDirective);

  readonly summary = computed(() => {
    const pts = this.points();
    const last = pts[pts.length - 1];
    return last ? `${this.label()}: ${this.formatValue()(last.y)} now` : `${this.label()}: no data yet`;
  });

  readonly data: ChartData<'line', ChartPoint[]> = {
    datasets: [
      {
        data: [],
        label: '',
        borderWidth: 2,
        pointRadius: 0,
        pointHoverRadius: 3,
        // Monotone: smooth, but never overshoots the data (no dips below 0, no bumps above a step).
        cubicInterpolationMode: 'monotone',
        fill: 'origin',
      },
    ],
  };

  readonly options: ChartConfiguration<'line', ChartPoint[]>['options'] = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    normalized: true,
    parsing: false,
    interaction: { mode: 'index', intersect: false },
    layout: { padding: { top: 4, right: 4 } },
    scales: {
      x: {
        type: 'linear',
        grid: { display: false },
        border: { display: false },
        ticks: {
          color: '#8a94a6',
          maxTicksLimit: 6,
          maxRotation: 0,
          // Seconds while the window is short, minutes once it spans more.
          callback(v) {
            const span = Number(this.max) - Number(this.min);
            return formatClock(Number(v), span < 10 * 60_000);
          },
        },
      },
      y: {
        beginAtZero: true,
        grace: '10%',
        border: { display: false },
        grid: { color: 'rgba(138,148,166,0.18)' },
        ticks: { color: '#8a94a6', maxTicksLimit: 5, callback: (v) => this.formatValue()(Number(v)) },
      },
    },
    plugins: {
      legend: { display: false },
      tooltip: {
        displayColors: false,
        callbacks: {
          title: (items) => (items[0] ? new Date(items[0].parsed.x ?? 0).toLocaleTimeString() : ''),
          label: (item) => this.formatValue()(item.parsed.y ?? 0),
        },
      },
    },
  };

  constructor() {
    effect(() => {
      const points = this.points();
      const color = this.color();
      const dataset = this.data.datasets[0];
      dataset.data = points.slice();
      dataset.label = this.label();
      dataset.borderColor = color;
      dataset.backgroundColor = `${color}22`;
      // The window ends at the newest point; until there is a full window, the data fills the width.
      const last = points.length ? points[points.length - 1].x : Date.now();
      const min = Math.max(points.length ? points[0].x : last, last - this.windowMs());
      for (const scales of [this.options?.scales, this.chart()?.chart?.options.scales]) {
        const x = scales?.['x'];
        if (x) {
          x.min = min;
          x.max = last;
        }
      }
      for (const scales of [this.options?.scales, this.chart()?.chart?.options.scales]) {
        const y = scales?.['y'];
        if (y?.ticks) (y.ticks as { precision?: number }).precision = this.integer() ? 0 : undefined;
      }
      this.chart()?.chart?.update('none');
    });
  }
}
