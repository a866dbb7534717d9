import { ChangeDetectionStrategy, Component, input } from '@angular/core';

import type { Tone } from './metric-card';

/** A coloured dot and a word: the colour is never the only signal. */
@Component({
  selector: 'rt-status-pill',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="dot" aria-hidden="true"></span><span class="text"><ng-content /></span>`,
  host: { '[attr.data-tone]': 'tone()', '[class.pulse]': 'pulse()' },
  styles: `
    :host {
      --c: var(--muted);
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      padding: 0.2rem 0.6rem;
      border-radius: 999px;
      font-size: 0.8125rem;
      font-weight: 550;
      color: var(--text);
      background: color-mix(in srgb, var(--c) 14%, transparent);
      white-space: nowrap;
      font-variant-numeric: tabular-nums;
    }
    :host([data-tone='ok']) {
      --c: var(--ok);
    }
    :host([data-tone='warn']) {
      --c: var(--warn);
    }
    :host([data-tone='down']) {
      --c: var(--down);
    }
    .dot {
      width: 0.5rem;
      height: 0.5rem;
      border-radius: 50%;
      background: var(--c);
      flex: none;
    }
    :host(.pulse) .dot {
      animation: pulse 1.6s ease-in-out infinite;
    }
    @keyframes pulse {
      50% {
        opacity: 0.35;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      :host(.pulse) .dot {
        animation: none;
      }
    }
  `,
})
export class StatusPill {
  readonly tone = input<Tone>('neutral');
  readonly pulse = input(false);
}
