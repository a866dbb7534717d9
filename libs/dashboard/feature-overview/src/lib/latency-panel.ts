import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { formatDuration } from '@realtime/dashboard/util-format';

import type { LatencyStats } from './latency';

/** Delivery delay of recent events: the figures and one bar per event. */
@Component({
  selector: 'rt-latency-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="panel-head">
      <h2>Delivery latency</h2>
      <span class="muted small">server timestamp → on screen</span>
    </div>
    @if (stats(); as s) {
      <dl class="figures">
        <div>
          <dt>Last</dt>
          <dd data-testid="latency-last">{{ fmt(s.last) }}</dd>
        </div>
        <div>
          <dt>Median</dt>
          <dd>{{ fmt(s.p50) }}</dd>
        </div>
        <div>
          <dt>p95</dt>
          <dd>{{ fmt(s.p95) }}</dd>
        </div>
        <div>
          <dt>Max</dt>
          <dd>{{ fmt(s.max) }}</dd>
        </div>
      </dl>
      <div class="bars" aria-hidden="true">
        @for (b of bars(); track $index) {
          <span [style.height.%]="b.height" [class.slow]="b.slow" [title]="b.title"></span>
        }
      </div>
      <p class="muted small foot">Last {{ s.count }} live events · clock offset {{ offsetText() }}</p>
    } @else {
      <p class="muted empty">Waiting for the first live event…</p>
    }
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.75rem;
      padding: 1rem 1.125rem;
    }
    .panel-head {
      display: flex;
      justify-content: space-between;
      align-items: baseline;
      gap: 0.5rem;
      flex-wrap: wrap;
    }
    h2 {
      margin: 0;
      font-size: 0.9375rem;
      font-weight: 600;
    }
    .muted {
      color: var(--muted);
    }
    .small {
      font-size: 0.75rem;
    }
    .figures {
      display: grid;
      grid-template-columns: repeat(4, minmax(0, 1fr));
      gap: 0.5rem;
      margin: 0;
    }
    .figures div {
      min-width: 0;
    }
    dt {
      color: var(--muted);
      font-size: 0.75rem;
    }
    dd {
      margin: 0;
      font-size: 1.125rem;
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }
    .bars {
      display: flex;
      align-items: flex-end;
      gap: 2px;
      height: 3rem;
    }
    .bars span {
      flex: 1;
      min-height: 2px;
      border-radius: 2px 2px 0 0;
      background: color-mix(in srgb, var(--accent) 70%, transparent);
    }
    .bars span.slow {
      background: var(--warn);
    }
    .foot,
    .empty {
      margin: 0;
    }
  `,
})
export class LatencyPanel {
  readonly stats = input<LatencyStats | null>(null);
  readonly samples = input<readonly number[]>([]);
  readonly offsetMs = input(0);
  readonly uncertaintyMs = input<number | null>(null);

  readonly fmt = formatDuration;

  readonly bars = computed(() => {
    const samples = this.samples();
    const max = Math.max(1, ...samples);
    const p95 = this.stats()?.p95 ?? max;
    return samples.map((ms) => ({
      height: Math.max(4, (ms / max) * 100),
      slow: samples.length >= 10 && ms > p95,
      title: formatDuration(ms),
    }));
  });

  readonly offsetText = computed(() => {
    const u = this.uncertaintyMs();
    const o = this.offsetMs();
    const sign = o >= 0 ? '+' : '−';
    return u === null ? 'not measured yet' : `${sign}${formatDuration(Math.abs(o))} (± ${formatDuration(u)})`;
  });
}
