import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Subject, type Subscription } from 'rxjs';

import type { Notification, NotificationEvent } from '@realtime/contracts';
import type { ConnectionState, StreamMessage } from '@realtime/dashboard/data-access-realtime';

import { DESKTOP_NOTIFICATION_API, type DesktopNotificationApi, DesktopNotifier } from './desktop-notifier';
import { NotificationStore, TOAST_MS } from './notification-store';
import { NotificationStream } from './notification-stream';

const n = (id: number, readAt: string | null = null): Notification => ({
  id,
  userId: 2,
  type: 'info',
  title: `t${id}`,
  message: `m${id}`,
  createdAt: new Date(id * 1000).toISOString(),
  readAt,
  sender: { id: 1, username: 'alice' },
});

describe('NotificationStore', () => {
  let messages: Subject<StreamMessage<NotificationEvent>>;
  let http: HttpTestingController;
  let store: NotificationStore;
  let desktop: jest.Mocked<DesktopNotificationApi>;
  let sub: Subscription;
  const event = (value: NotificationEvent) => messages.next({ kind: 'event', value });
  const ids = () => store.items().map((i) => i.id);

  beforeEach(() => {
    jest.useFakeTimers();
    messages = new Subject();
    desktop = { permission: jest.fn(() => 'granted'), requestPermission: jest.fn(), show: jest.fn() };
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: DESKTOP_NOTIFICATION_API, useValue: desktop },
        {
          provide: NotificationStream,
          useValue: { messages$: messages, state$: new Subject<ConnectionState>(), reconnect: jest.fn() },
        },
      ],
    });
    store = TestBed.inject(NotificationStore);
    http = TestBed.inject(HttpTestingController);
    sub = store.connect().subscribe();
  });
  afterEach(() => {
    sub.unsubscribe();
    jest.useRealTimers();
  });

  it('fetches the list on every (re)connection and applies live events on top', () => {
    messages.next({ kind: 'open', resumed: false });
    const page = http.expectOne((r) => r.url === '/api/notifications/page');
    // One arrives while the page is on its way, and it is not in the page.
    event({ type: 'notification', id: '3', data: n(3) });
    page.flush({ items: [n(2), n(1, 'x')], unreadCount: 1, nextCursor: null });
    expect(ids()).toEqual([3, 2, 1]);
    expect(store.unread()).toBe(2);

    messages.next({ kind: 'open', resumed: true });
    http
      .expectOne((r) => r.url === '/api/notifications/page')
      .flush({ items: [n(3), n(2)], unreadCount: 2, nextCursor: null });
    expect(ids()).toEqual([3, 2]);
  });

  it('shows a toast for a new notification, which goes by itself', () => {
    event({ type: 'notification', id: '1', data: n(1) });
    expect(store.toasts().map((t) => t.id)).toEqual([1]);
    jest.advanceTimersByTime(TOAST_MS);
    expect(store.toasts()).toEqual([]);
  });

  it('takes a toast down when its notification is read or deleted, in any tab', () => {
    event({ type: 'notification', id: '1', data: n(1) });
    event({ type: 'notification', id: '2', data: n(2) });
    event({ type: 'notification-read', id: '3', data: { ids: [1], readAt: 'now' } });
    expect(store.toasts().map((t) => t.id)).toEqual([2]);
    event({ type: 'notification-deleted', id: '4', data: { id: 2 } });
    expect(store.toasts()).toEqual([]);
  });

  it('follows reads and deletions made in another tab', () => {
    event({ type: 'notification', id: '1', data: n(1) });
    event({ type: 'notification', id: '2', data: n(2) });
    event({ type: 'notification-read', id: '3', data: { ids: [1], readAt: 'now' } });
    expect(store.unread()).toBe(1);
    event({ type: 'notification-deleted', id: '4', data: { id: 2 } });
    expect(ids()).toEqual([1]);
    expect(store.unread()).toBe(0);
  });

  it('marks read, all read and deletes at once, then tells the server', () => {
    [1, 2, 3].forEach((id) => event({ type: 'notification', id: String(id), data: n(id) }));
    store.markRead(1);
    expect(store.unread()).toBe(2);
    http.expectOne({ method: 'PUT', url: '/api/notifications/1/read' }).flush(n(1, 'now'));
    store.remove(3);
    expect(ids()).toEqual([2, 1]);
    http.expectOne({ method: 'DELETE', url: '/api/notifications/3' }).flush(null);
    store.markAllRead();
    expect(store.unread()).toBe(0);
    http.expectOne({ method: 'PUT', url: '/api/notifications/read-all' }).flush({ ids: [2], readAt: 'now' });
    // The server's own event about it changes nothing more.
    event({ type: 'notification-read', id: '9', data: { ids: [2], readAt: 'now' } });
    expect(store.unread()).toBe(0);
  });

  it('shows desktop notifications only after opting in and only while the tab is hidden', async () => {
    desktop.requestPermission.mockResolvedValue('granted');
    const hidden = jest.spyOn(document, 'hidden', 'get');
    hidden.mockReturnValue(true);
    event({ type: 'notification', id: '1', data: n(1) });
    expect(desktop.show).not.toHaveBeenCalled();

    await TestBed.inject(DesktopNotifier).enable();
    event({ type: 'notification', id: '2', data: n(2) });
    expect(desktop.show).toHaveBeenCalledWith('t2', { body: 'm2', tag: 'rt-notification-2' });

    hidden.mockReturnValue(false);
    event({ type: 'notification', id: '3', data: n(3) });
    expect(desktop.show).toHaveBeenCalledTimes(1);
    hidden.mockRestore();
    TestBed.inject(DesktopNotifier).disable();
  });

  it('forgets everything when the bell goes away (sign-out)', () => {
    event({ type: 'notification', id: '1', data: n(1) });
    sub.unsubscribe();
    expect(store.items()).toEqual([]);
    expect(store.unread()).toBe(0);
  });
});
