import { ChangeDetectionStrategy, Component, input } from '@angular/core';

export type Tone = 'neutral' | 'ok' | 'warn' | 'down';

/** A headline number with a label and a hint line; extra content goes below. */
@Component({
  selector: 'rt-metric-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="head">
      <span class="label">{{ label() }}</span>
      <ng-content select="[rtCardBadge]" />
      @if (stale(); as age) {
        <span class="stale-tag" data-testid="stale">Stale · {{ age }}</span>
      }
    </div>
    @if (value() === null && loading()) {
      <p class="value placeholder">
        <span class="skeleton" aria-hidden="true"></span><span class="sr-only">Loading</span>
      </p>
    } @else {
      <p class="value" [class.placeholder]="value() === null">{{ value() ?? '—' }}</p>
    }
    <!-- Always there, so a card keeps its height when the hint comes and goes. -->
    <p class="hint">{{ hint() ?? '' }}</p>
    <ng-content />
  `,
  host: {
    class: 'rt-card',
    '[attr.data-tone]': 'tone()',
    '[class.is-stale]': 'stale() !== null',
    role: 'group',
    '[attr.aria-label]': 'label()',
  },
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      padding: var(--card-padding, 1rem 1.125rem);
      position: relative;
      overflow: hidden;
    }
    :host::before {
      content: '';
      position: absolute;
      inset: 0 auto 0 0;
      width: 3px;
      background: var(--tone, transparent);
    }
    :host([data-tone='ok']) {
      --tone: var(--ok);
    }
    :host([data-tone='warn']) {
      --tone: var(--warn);
    }
    :host([data-tone='down']) {
      --tone: var(--down);
    }
    .head {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 0.5rem;
      min-height: 1.5rem;
    }
    .label {
      color: var(--muted);
      font-size: 0.8125rem;
      font-weight: 500;
      letter-spacing: 0.01em;
    }
    .value {
      margin: 0;
      font-size: clamp(1.5rem, 1.2rem + 1.2vw, 2rem);
      font-weight: 650;
      letter-spacing: -0.02em;
      font-variant-numeric: tabular-nums;
      line-height: 1.15;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    /* An old value stays readable but steps back, and says how old it is. */
    :host(.is-stale) .value {
      opacity: 0.55;
    }
    .stale-tag {
      font-size: 0.75rem;
      font-weight: 600;
      color: var(--warn-text);
      white-space: nowrap;
    }
    .value.placeholder {
      color: var(--muted);
    }
    .skeleton {
      display: inline-block;
      width: 6ch;
      height: 0.8em;
      border-radius: 0.25rem;
      background: color-mix(in srgb, var(--muted) 18%, transparent);
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .hint {
      margin: 0;
      min-height: 1.3em;
      color: var(--muted);
      font-size: 0.8125rem;
      font-variant-numeric: tabular-nums;
    }
  `,
})
export class MetricCard {
  readonly label = input.required<string>();
  readonly value = input<string | null>(null);
  readonly hint = input<string | null>(null);
  readonly tone = input<Tone>('neutral');
  /** The value is old: its age ("12 s ago"), shown as a tag, and the value dimmed. */
  readonly stale = input<string | null>(null);
  /** No value yet because it is on its way: a skeleton instead of a dash. */
  readonly loading = input(false);
}
