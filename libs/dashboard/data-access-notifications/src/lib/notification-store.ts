import { Injectable, computed, inject, signal } from '@angular/core';
import { EMPTY, Observable, catchError, filter, finalize, ignoreElements, merge, switchMap, tap } from 'rxjs';

import type { CreateNotificationRequest, Notification, NotificationEvent } from '@realtime/contracts';
import type { ConnectionState } from '@realtime/dashboard/data-access-realtime';

import { DesktopNotifier } from './desktop-notifier';
import { EMPTY_LIST, type NotificationList, applyEvent, withFetched } from './notification-list';
import { NotificationStream } from './notification-stream';
import { NotificationsApi } from './notifications-api';

/** How long a toast stays up. */
export const TOAST_MS = 6000;
const MAX_TOASTS = 3;

/**
 * The signed-in user's notifications, for the bell, the toasts and the centre. `connect()` keeps
 * them live (the shell's bell subscribes while someone is signed in): the list is fetched on every
 * (re)connection and stream events are applied on top, idempotently. The user's other tabs learn
 * about reads and deletions from the same stream events.
 */
@Injectable({ providedIn: 'root' })
export class NotificationStore {
  private readonly api = inject(NotificationsApi);
  private readonly stream = inject(NotificationStream);
  private readonly desktop = inject(DesktopNotifier);
  private readonly list = signal<NotificationList>(EMPTY_LIST);
  /** Events received while a fetch is on its way, to apply again on top of its result. */
  private sinceFetch: NotificationEvent[] | null = null;
  private readonly toastTimers = new Map<number, ReturnType<typeof setTimeout>>();

  readonly items = computed(() => this.list().items);
  readonly unread = computed(() => this.list().unread);
  readonly loaded = signal(false);
  readonly state = signal<ConnectionState>({ kind: 'idle' });
  readonly toasts = signal<readonly Notification[]>([]);

  connect(): Observable<never> {
    const state$ = this.stream.state$.pipe(tap((s) => this.state.set(s)));
    const messages$ = this.stream.messages$.pipe(
      tap((m) => {
        if (m.kind === 'event') this.onEvent(m.value);
      }),
      filter((m) => m.kind === 'open'),
      switchMap(() => this.refetch()),
    );
    return merge(state$, messages$).pipe(
      ignoreElements(),
      finalize(() => {
        // Signed out (or the bell went away): forget this user's notifications.
        this.list.set(EMPTY_LIST);
        this.loaded.set(false);
        this.sinceFetch = null;
        for (const t of this.toastTimers.values()) clearTimeout(t);
        this.toastTimers.clear();
        this.toasts.set([]);
      }),
    );
  }

  reconnect(): void {
    this.stream.reconnect();
  }

  markRead(id: number): void {
    const n = this.items().find((i) => i.id === id);
    if (!n || n.readAt) return;
    this.apply({ type: 'notification-read', id: '', data: { ids: [id], readAt: new Date().toISOString() } });
    this.api.markRead(id).subscribe({ error: () => this.recover() });
  }

  markAllRead(): void {
    const ids = this.items()
      .filter((i) => !i.readAt)
      .map((i) => i.id);
    this.apply({ type: 'notification-read', id: '', data: { ids, readAt: new Date().toISOString() } });
    // Older unread ones beyond the loaded page are read too: the server's count says so.
    this.list.update((l) => ({ ...l, unread: 0 }));
    this.api.markAllRead().subscribe({ error: () => this.recover() });
  }

  remove(id: number): void {
    this.apply({ type: 'notification-deleted', id: '', data: { id } });
    this.dismissToast(id);
    this.api.remove(id).subscribe({ error: () => this.recover() });
  }

  send(request: CreateNotificationRequest): Observable<Notification> {
    return this.api.create(request);
  }

  dismissToast(id: number): void {
    clearTimeout(this.toastTimers.get(id));
    this.toastTimers.delete(id);
    this.toasts.update((t) => t.filter((n) => n.id !== id));
  }

  private refetch(): Observable<never> {
    const since: NotificationEvent[] = [];
    this.sinceFetch = since;
    return this.api.page().pipe(
      tap((page) => {
        if (this.sinceFetch === since) this.sinceFetch = null;
        this.list.set(withFetched(page, since));
        this.loaded.set(true);
      }),
      ignoreElements(),
      catchError(() => EMPTY),
    );
  }

  /** A failed change: the server's list is the truth. */
  private recover(): void {
    this.refetch().subscribe();
  }

  private onEvent(event: NotificationEvent): void {
    this.sinceFetch?.push(event);
    const before = this.list();
    this.apply(event);
    if (event.type === 'notification' && this.list() !== before && !event.data.readAt)
      this.announce(event.data);
  }

  private apply(event: NotificationEvent): void {
    this.list.update((l) => applyEvent(l, event));
    // Read or deleted here or in another tab: its toast has nothing more to say.
    if (event.type === 'notification-read' || event.type === 'notification-deleted') {
      const unread = new Set(
        this.items()
          .filter((i) => !i.readAt)
          .map((i) => i.id),
      );
      for (const t of this.toasts()) if (!unread.has(t.id)) this.dismissToast(t.id);
    }
  }

  /** A toast in the tab, and on the desktop too if the user opted in and the tab is hidden. */
  private announce(n: Notification): void {
    this.desktop.notify(n);
    this.toasts.update((t) => [n, ...t].slice(0, MAX_TOASTS));
    this.toastTimers.set(
      n.id,
      setTimeout(() => this.dismissToast(n.id), TOAST_MS),
    );
  }
}
