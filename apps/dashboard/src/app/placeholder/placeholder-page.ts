import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** Stands in for a page that a later issue delivers. */
@Component({
  selector: 'rt-placeholder-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>{{ heading() }}</h1>
    <div class="rt-card empty">
      <p>{{ text() }}</p>
      <p class="muted">Coming soon.</p>
    </div>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 1rem;
    }
    h1 {
      margin: 0;
      font-size: 1.375rem;
      font-weight: 650;
    }
    .empty {
      padding: 2.5rem 1.5rem;
      text-align: center;
    }
    .empty p {
      margin: 0.25rem 0;
    }
    .muted {
      color: var(--muted);
      font-size: 0.875rem;
    }
  `,
})
export class PlaceholderPage {
  readonly heading = input('');
  readonly text = input('');
}
