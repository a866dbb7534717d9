import { DOCUMENT } from '@angular/common';
import { Injectable, InjectionToken, inject, signal } from '@angular/core';

import type { Notification as AppNotification } from '@realtime/contracts';

/** The browser's Notification API, or null where there is none; tests provide a fake. */
export interface DesktopNotificationApi {
  permission(): NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  show(title: string, options: NotificationOptions): void;
}

export const DESKTOP_NOTIFICATION_API = new InjectionToken<DesktopNotificationApi | null>(
  'DESKTOP_NOTIFICATION_API',
  {
    providedIn: 'root',
    factory: () => {
      if (typeof Notification === 'undefined') return null;
      return {
        permission: () => Notification.permission,
        requestPermission: () => Notification.requestPermission(),
        show: (title, options) => void new Notification(title, options),
      };
    },
  },
);

const OPT_IN_KEY = 'rt.notifications.desktop';

/**
 * Desktop notifications, only after the user opted in with a button (browsers require a
 * gesture for the permission prompt) and only while this tab is hidden: a visible tab has toasts.
 */
@Injectable({ providedIn: 'root' })
export class DesktopNotifier {
  private readonly api = inject(DESKTOP_NOTIFICATION_API);
  private readonly doc = inject(DOCUMENT);
  private readonly storage = this.doc.defaultView?.localStorage ?? null;

  readonly supported = this.api !== null;
  readonly permission = signal<NotificationPermission>(this.api?.permission() ?? 'denied');
  readonly enabled = signal(this.permission() === 'granted' && this.readOptIn());

  async enable(): Promise<void> {
    if (!this.api) return;
    const permission = await this.api.requestPermission();
    this.permission.set(permission);
    this.setOptIn(permission === 'granted');
  }

  disable(): void {
    this.setOptIn(false);
  }

  /** Shows `n` on the desktop if the user opted in and the tab is hidden; says whether it did. */
  notify(n: AppNotification): boolean {
    if (!this.api || !this.enabled() || this.api.permission() !== 'granted' || !this.doc.hidden) return false;
    // The tag makes other tabs of the same user replace rather than repeat it.
    this.api.show(n.title, { body: n.message, tag: `rt-notification-${n.id}` });
    return true;
  }

  private setOptIn(on: boolean): void {
    this.enabled.set(on);
    try {
      if (on) this.storage?.setItem(OPT_IN_KEY, '1');
      else this.storage?.removeItem(OPT_IN_KEY);
    } catch {
      // the choice lasts for this page
    }
  }

  private readOptIn(): boolean {
    try {
      return this.storage?.getItem(OPT_IN_KEY) === '1';
    } catch {
      return false;
    }
  }
}
