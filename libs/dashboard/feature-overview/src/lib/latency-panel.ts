import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { formatMeasured, precisionStep } from '@realtime/dashboard/data-access-api';
import { formatDuration } from '@realtime/dashboard/util-format';

import type { LatencyStats } from './latency';

/** Delivery delay of recent events: the figures and one bar per event. */
@Component({
  selector: 'rt-latency-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="panel-head">
      <h2 id="latency-title">Delivery latency</h2>
      <span class="muted small">server timestamp → on screen</span>
    </div>
    @if (stats(); as s) {
      @if (uncertaintyMs() !== null) {
        <dl class="figures" aria-labelledby="latency-title">
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
        <p class="muted small foot" data-testid="latency-precision">
          Last {{ s.count }} live events · each figure ± {{ plusMinus() }}
        </p>
      } @else {
        <p class="muted empty">Measuring the server's clock…</p>
      }
    } @else {
      <p class="muted empty">Waiting for the first live event…</p>
    }
    <details class="explain small">
      <summary>What this measures</summary>
      <p>
        The server stamps every update with its own clock; this page notes when the update arrived by this
        computer's clock. The two clocks differ ({{ offsetText() }}), so the page asks the server for the time
        a few times and trusts the fastest answer{{ roundTripText() }}: the difference is known to within half
        that round trip, ± {{ plusMinus() }}. Figures are rounded so that they never claim more precision than
        that.
      </p>
    </details>
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
    .explain {
      color: var(--muted);
    }
    .explain summary {
      cursor: pointer;
      width: fit-content;
    }
    .explain p {
      margin: 0.375rem 0 0;
      line-height: 1.45;
    }
  `,
})
export class LatencyPanel {
  readonly stats = input<LatencyStats | null>(null);
  readonly samples = input<readonly number[]>([]);
  readonly offsetMs = input(0);
  readonly uncertaintyMs = input<number | null>(null);
  readonly roundTripMs = input<number | null>(null);
  readonly clockSamples = input(0);

  /** A delay rounded to what the clock offset allows (never finer than its uncertainty). */
  readonly fmt = (ms: number) => formatMeasured(ms, this.uncertaintyMs() ?? Infinity);

  readonly plusMinus = computed(() => {
    const u = this.uncertaintyMs();
    return u === null ? '…' : formatDuration(Math.max(1, precisionStep(u)));
  });

  readonly bars = computed(() => {
    const samples = this.samples();
    const max = Math.max(1, ...samples);
    const p95 = this.stats()?.p95 ?? max;
    return samples.map((ms) => ({
      height: Math.max(4, (ms / max) * 100),
      slow: samples.length >= 10 && ms > p95,
      title: this.fmt(ms),
    }));
  });

  readonly offsetText = computed(() => {
    const u = this.uncertaintyMs();
    if (u === null) return 'not measured yet';
    const o = this.offsetMs();
    const ahead = o >= 0 ? 'ahead' : 'behind';
    return `the server's is ${formatMeasured(Math.abs(o), u)} ${ahead}, ± ${this.plusMinus()}`;
  });

  readonly roundTripText = computed(() => {
    const rtt = this.roundTripMs();
    return rtt === null
      ? ''
      : ` (the fastest of ${this.clockSamples()} took ${formatDuration(Math.max(1, rtt))})`;
  });
}
