import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { EMPTY, of } from 'rxjs';

import type { Notification } from '@realtime/contracts';
import { AuthStore } from '@realtime/dashboard/data-access-api';
import { DesktopNotifier, NotificationStore } from '@realtime/dashboard/data-access-notifications';
import { CLOCK } from '@realtime/dashboard/data-access-realtime';

import { NotificationBell } from './notification-bell';
import { NotificationsPage } from './notifications-page';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const n = (id: number, minutesAgo: number, readAt: string | null = null): Notification => ({
  id,
  userId: 2,
  type: 'warning',
  title: `<b>title ${id}</b>`,
  message: `message ${id}`,
  createdAt: new Date(NOW - minutesAgo * 60_000).toISOString(),
  readAt,
  sender: { id: 1, username: 'alice' },
});

describe('notification centre', () => {
  let store: ReturnType<typeof fakeStore>;
  const me = signal({ id: 1, username: 'alice', role: 'admin' });

  function fakeStore() {
    return {
      items: signal([n(2, 3), n(1, 90, 'x')]),
      unread: signal(1),
      loaded: signal(true),
      state: signal({ kind: 'connected', since: 0 }),
      toasts: signal([]),
      connect: jest.fn(() => EMPTY),
      markRead: jest.fn(),
      markAllRead: jest.fn(),
      remove: jest.fn(),
      reconnect: jest.fn(),
      dismissToast: jest.fn(),
      send: jest.fn(() => of(n(3, 0))),
    };
  }

  beforeEach(() => {
    store = fakeStore();
    me.set({ id: 1, username: 'alice', role: 'admin' });
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        { provide: NotificationStore, useValue: store },
        { provide: AuthStore, useValue: { user: me } },
        { provide: CLOCK, useValue: () => NOW },
        {
          provide: DesktopNotifier,
          useValue: {
            supported: true,
            enabled: signal(false),
            permission: signal('default'),
            enable: jest.fn(),
          },
        },
      ],
    });
  });
  const q = (el: HTMLElement, testId: string) =>
    el.querySelectorAll<HTMLElement>(`[data-testid="${testId}"]`);

  it('lists newest first with relative times, as text, and acts on them', async () => {
    const fixture = TestBed.createComponent(NotificationsPage);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const rows = q(el, 'notification');
    expect(rows).toHaveLength(2);
    expect(rows[0].querySelector('[data-testid=title]')?.textContent).toBe('<b>title 2</b>');
    expect(rows[0].querySelector('b')).toBeNull();
    expect(rows[0].querySelector('time')?.textContent).toBe('3 min ago');
    expect(rows[1].querySelector('time')?.textContent).toBe('1 h ago');
    expect(rows[0].querySelector('[data-testid=sender]')?.textContent).toBe('from alice');
    expect(q(el, 'unread-summary')[0].textContent?.trim()).toBe('1 unread');
    q(el, 'mark-read')[0].click();
    expect(store.markRead).toHaveBeenCalledWith(2);
    q(el, 'delete')[1].click();
    expect(store.remove).toHaveBeenCalledWith(1);
    q(el, 'mark-all-read')[0].click();
    expect(store.markAllRead).toHaveBeenCalled();
    expect(q(el, 'mark-read')).toHaveLength(1);
  });

  it('sends a notification from the form', async () => {
    const fixture = TestBed.createComponent(NotificationsPage);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const set = (id: string, value: string) => {
      const input = q(el, id)[0] as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    };
    set('send-title', 'Deploy done');
    set('send-message', 'v2 is live');
    await fixture.whenStable();
    q(el, 'send')[0].click();
    await fixture.whenStable();
    expect(store.send).toHaveBeenCalledWith({
      userId: 'bob',
      title: 'Deploy done',
      message: 'v2 is live',
      type: 'info',
    });
    expect(q(el, 'send-result')[0].textContent).toContain('Sent to bob');
  });

  it('offers the send form to operators and admins only: viewers receive', async () => {
    me.set({ id: 3, username: 'carol', role: 'viewer' });
    const fixture = TestBed.createComponent(NotificationsPage);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(q(el, 'send')).toHaveLength(0);
    me.set({ id: 2, username: 'bob', role: 'operator' });
    await fixture.whenStable();
    expect(q(el, 'send')).toHaveLength(1);
  });

  it('the bell shows the unread count and keeps the stream open', async () => {
    const fixture = TestBed.createComponent(NotificationBell);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(store.connect).toHaveBeenCalled();
    expect(q(el, 'notification-badge')[0].textContent).toBe('1');
    store.unread.set(0);
    await fixture.whenStable();
    expect(q(el, 'notification-badge')).toHaveLength(0);
  });
});
