import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';

import { NotificationStore } from '@realtime/dashboard/data-access-notifications';

/**
 * The bell in the shell, with the unread count. It also keeps the notification stream open for
 * as long as it is on screen, that is while someone is signed in.
 */
@Component({
  selector: 'rt-notification-bell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  template: `
    <a
      routerLink="/notifications"
      class="bell"
      data-testid="notification-bell"
      [attr.aria-label]="label()"
      [title]="label()"
    >
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <path d="M18 16v-5a6 6 0 1 0-12 0v5l-2 2h16zM10 20a2 2 0 0 0 4 0" />
      </svg>
      @if (store.unread()) {
        <span class="badge" data-testid="notification-badge">{{ badge() }}</span>
      }
    </a>
  `,
  styles: `
    :host {
      display: inline-flex;
    }
    .bell {
      position: relative;
      display: inline-grid;
      place-items: center;
      width: 2.25rem;
      height: 2.25rem;
      border-radius: 0.5rem;
      border: 1px solid var(--border);
      background: var(--surface);
      color: var(--text);
    }
    .bell:hover {
      background: var(--hover);
    }
    svg {
      width: 1.125rem;
      height: 1.125rem;
      fill: none;
      stroke: currentColor;
      stroke-width: 2;
      stroke-linecap: round;
      stroke-linejoin: round;
    }
    .badge {
      position: absolute;
      top: -0.375rem;
      right: -0.375rem;
      min-width: 1.125rem;
      height: 1.125rem;
      padding: 0 0.3rem;
      border-radius: 999px;
      background: var(--down);
      color: #fff;
      font-size: 0.6875rem;
      font-weight: 700;
      line-height: 1.125rem;
      text-align: center;
      border: 2px solid var(--surface);
      box-sizing: content-box;
      font-variant-numeric: tabular-nums;
    }
  `,
})
export class NotificationBell {
  protected readonly store = inject(NotificationStore);
  protected readonly badge = computed(() => (this.store.unread() > 99 ? '99+' : String(this.store.unread())));
  protected readonly label = computed(() => {
    const n = this.store.unread();
    return n === 0 ? 'Notifications' : `Notifications, ${n} unread`;
  });

  constructor() {
    this.store.connect().pipe(takeUntilDestroyed()).subscribe();
  }
}
