import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { interval, map, startWith } from 'rxjs';

import {
  NOTIFICATION_MESSAGE_MAX,
  NOTIFICATION_TITLE_MAX,
  NOTIFICATION_TYPES,
  type NotificationType,
  roleAtLeast,
} from '@realtime/contracts';
import { AuthStore, friendlyHttpError } from '@realtime/dashboard/data-access-api';
import { DesktopNotifier, NotificationStore } from '@realtime/dashboard/data-access-notifications';
import { CLOCK } from '@realtime/dashboard/data-access-realtime';
import { StatusPill } from '@realtime/dashboard/ui';
import { formatAgo, formatSender } from '@realtime/dashboard/util-format';

/** The notification centre: newest first, read / read all / delete, desktop opt-in, and a form to send one. */
@Component({
  selector: 'rt-notifications-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, StatusPill],
  templateUrl: './notifications-page.html',
  styleUrl: './notifications-page.css',
})
export class NotificationsPage {
  protected readonly store = inject(NotificationStore);
  protected readonly desktop = inject(DesktopNotifier);
  private readonly clock = inject(CLOCK);
  private readonly me = inject(AuthStore).user;

  protected readonly types = NOTIFICATION_TYPES;
  protected readonly titleMax = NOTIFICATION_TITLE_MAX;
  protected readonly messageMax = NOTIFICATION_MESSAGE_MAX;
  /** Relative times move on by themselves. */
  private readonly now = toSignal(
    interval(15_000).pipe(
      startWith(0),
      map(() => this.clock()),
    ),
    {
      initialValue: this.clock(),
    },
  );
  protected readonly rows = computed(() => {
    const now = this.now();
    return this.store
      .items()
      .map((n) => ({ n, ago: formatAgo(now - Date.parse(n.createdAt)), from: formatSender(n.sender) }));
  });
  protected readonly live = computed(() => {
    const s = this.store.state();
    if (s.kind === 'connected') return { tone: 'ok' as const, label: 'Live' };
    if (s.kind === 'offline') return { tone: 'down' as const, label: 'Offline' };
    if (s.kind === 'disconnected') return { tone: 'down' as const, label: 'Disconnected' };
    if (s.kind === 'unauthorized') return { tone: 'down' as const, label: 'Signed out' };
    if (s.kind === 'reconnecting') return { tone: 'warn' as const, label: 'Reconnecting…' };
    return { tone: 'neutral' as const, label: 'Connecting…' };
  });

  /** Operators and admins notify users; viewers only receive. */
  protected readonly canSend = computed(() => {
    const role = this.me()?.role;
    return role !== undefined && roleAtLeast(role, 'operator');
  });
  protected readonly to = signal(this.me()?.username === 'bob' ? 'alice' : 'bob');
  protected readonly title = signal('');
  protected readonly message = signal('');
  protected readonly type = signal<NotificationType>('info');
  protected readonly sending = signal(false);
  protected readonly sendResult = signal<{ ok: boolean; text: string } | null>(null);

  protected sendNotification(): void {
    const to = this.to().trim();
    const userId = /^\d+$/.test(to) ? Number(to) : to;
    this.sending.set(true);
    this.sendResult.set(null);
    this.store
      .send({ userId, title: this.title().trim(), message: this.message().trim(), type: this.type() })
      .subscribe({
        next: () => {
          this.sending.set(false);
          this.sendResult.set({ ok: true, text: `Sent to ${to}.` });
          this.title.set('');
          this.message.set('');
        },
        error: (e: unknown) => {
          this.sending.set(false);
          this.sendResult.set({ ok: false, text: friendlyHttpError(e, 'send it') });
        },
      });
  }
}
