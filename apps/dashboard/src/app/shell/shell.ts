import { ChangeDetectionStrategy, Component, computed, effect, inject } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';

import { roleAtLeast } from '@realtime/contracts';
import { AuthStore } from '@realtime/dashboard/data-access-api';
import { ChatUnreadStore } from '@realtime/dashboard/data-access-notifications';
import { SharedStreams } from '@realtime/dashboard/data-access-realtime';
import { NotificationBell, NotificationToasts } from '@realtime/dashboard/feature-notifications';

import { Theme } from './theme';

/** The signed-in frame: brand, navigation, theme, the user and sign-out. */
@Component({
  selector: 'rt-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive, NotificationBell, NotificationToasts],
  templateUrl: './shell.html',
  styleUrl: './shell.css',
  // Which of the browser's tabs holds the live connections (see data-access-realtime), for diagnosis.
  host: { '[attr.data-holds-streams]': 'holdsStreams()' },
})
export class Shell {
  private readonly auth = inject(AuthStore);
  private readonly router = inject(Router);
  protected readonly theme = inject(Theme);
  protected readonly holdsStreams = toSignal(inject(SharedStreams).leading$, { initialValue: false });
  /** Unread chat per room on every page, from the notification stream (no chat socket here). */
  protected readonly chatUnread = inject(ChatUnreadStore);
  protected readonly chatUnreadLabel = computed(() =>
    this.chatUnread
      .rooms()
      .map((r) => `#${r.roomId}: ${r.count}`)
      .join(', '),
  );
  protected readonly user = this.auth.user;
  /** The operations page is for admins (the route and the API check too). */
  protected readonly isAdmin = computed(() => {
    const role = this.user()?.role;
    return role !== undefined && roleAtLeast(role, 'admin');
  });
  protected readonly initial = computed(() => (this.user()?.username ?? '?').charAt(0).toUpperCase());
  protected readonly themeLabel = computed(
    () => ({ system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' })[this.theme.choice()],
  );

  protected readonly nav = [
    { path: '/dashboard', label: 'Dashboard', icon: 'M4 13h6V4H4zm0 7h6v-5H4zm10 0h6v-9h-6zm0-16v5h6V4z' },
    {
      path: '/notifications',
      label: 'Notifications',
      icon: 'M18 16v-5a6 6 0 1 0-12 0v5l-2 2h16zM10 20a2 2 0 0 0 4 0',
    },
    { path: '/chat', label: 'Chat', icon: 'M4 5h16v11H8l-4 4z' },
    { path: '/alerts', label: 'Alerts', icon: 'M12 3 2 20h20zM12 10v4M12 17v.5' },
  ];
  private readonly adminItem = {
    path: '/admin',
    label: 'Admin',
    icon: 'M12 3l8 4v5c0 5-3.5 8-8 9-4.5-1-8-4-8-9V7z',
  };
  /** The Admin page shows for admins only (the API refuses everyone else anyway). */
  protected readonly navItems = computed(() =>
    this.user()?.role === 'admin' ? [...this.nav, this.adminItem] : this.nav,
  );

  constructor() {
    this.chatUnread.connect().pipe(takeUntilDestroyed()).subscribe();
    // Signed out by any means (button, expiry, a 401): leave the protected pages, and come back
    // here after signing in again unless the user chose to sign out.
    effect(() => {
      if (this.auth.isSignedIn()) return;
      const returnUrl = this.signingOut ? undefined : this.router.url;
      void this.router.navigate(['/login'], { queryParams: returnUrl ? { returnUrl } : {} });
    });
  }

  private signingOut = false;

  protected logout(): void {
    this.signingOut = true;
    this.auth.logout('You have signed out.');
  }
}
