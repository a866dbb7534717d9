import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';

import type { Notification } from '@realtime/contracts';
import { NotificationStore } from '@realtime/dashboard/data-access-notifications';
import { formatSender } from '@realtime/dashboard/util-format';

/** Toasts for notifications as they arrive; they go by themselves after a few seconds. */
@Component({
  selector: 'rt-notification-toasts',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  template: `
    <ol class="toasts" aria-live="polite" aria-label="New notifications">
      @for (n of store.toasts(); track n.id) {
        <li class="toast" [attr.data-type]="n.type" data-testid="toast">
          <span class="bar" aria-hidden="true"></span>
          <a routerLink="/notifications" class="body" (click)="store.dismissToast(n.id)">
            <strong>{{ n.title }}</strong>
            <span>{{ n.message }}</span>
            <small data-testid="toast-sender">{{ from(n) }}</small>
          </a>
          <button type="button" class="close" aria-label="Dismiss" (click)="store.dismissToast(n.id)">
            ×
          </button>
        </li>
      }
    </ol>
  `,
  styles: `
    .toasts {
      position: fixed;
      right: 1rem;
      bottom: 1rem;
      z-index: 50;
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
      width: min(22rem, calc(100vw - 2rem));
    }
    .toast {
      --c: var(--accent);
      display: flex;
      align-items: flex-start;
      gap: 0.75rem;
      padding: 0.75rem 0.75rem 0.75rem 0;
      background: var(--surface);
      border: 1px solid var(--border);
      border-radius: var(--radius);
      box-shadow: 0 10px 30px rgb(16 24 40 / 16%);
      overflow: hidden;
      animation: in 0.18s ease-out;
    }
    .toast[data-type='success'] {
      --c: var(--ok);
    }
    .toast[data-type='warning'] {
      --c: var(--warn);
    }
    .toast[data-type='error'] {
      --c: var(--down);
    }
    .bar {
      align-self: stretch;
      width: 4px;
      background: var(--c);
      margin: -0.75rem 0;
    }
    .body {
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
      gap: 0.125rem;
      color: var(--text);
      text-decoration: none;
    }
    .body small {
      color: var(--muted);
      font-size: 0.75rem;
    }
    .body strong {
      font-size: 0.9375rem;
    }
    .body span {
      color: var(--muted);
      font-size: 0.875rem;
      overflow: hidden;
      display: -webkit-box;
      -webkit-line-clamp: 2;
      -webkit-box-orient: vertical;
      overflow-wrap: anywhere;
    }
    .close {
      border: 0;
      background: transparent;
      color: var(--muted);
      font-size: 1.25rem;
      line-height: 1;
      cursor: pointer;
      padding: 0 0.25rem;
    }
    @keyframes in {
      from {
        transform: translateY(0.5rem);
        opacity: 0;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .toast {
        animation: none;
      }
    }
  `,
})
export class NotificationToasts {
  protected readonly store = inject(NotificationStore);
  protected readonly from = (n: Notification) => formatSender(n.sender);
}
