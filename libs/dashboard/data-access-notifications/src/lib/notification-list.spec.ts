import type { Notification, NotificationEvent } from '@realtime/contracts';

import { EMPTY_LIST, applyEvent, withFetched } from './notification-list';

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
const arrived = (x: Notification): NotificationEvent => ({ type: 'notification', id: String(x.id), data: x });
const read = (ids: number[]): NotificationEvent => ({
  type: 'notification-read',
  id: 'r',
  data: { ids, readAt: 'now' },
});
const deleted = (id: number): NotificationEvent => ({ type: 'notification-deleted', id: 'd', data: { id } });

describe('notification list', () => {
  it('puts new ones first and counts them unread, once', () => {
    let list = applyEvent(EMPTY_LIST, arrived(n(1)));
    list = applyEvent(list, arrived(n(2)));
    list = applyEvent(list, arrived(n(2)));
    expect(list.items.map((i) => i.id)).toEqual([2, 1]);
    expect(list.unread).toBe(2);
  });

  it('applies reads and deletions idempotently', () => {
    let list = [arrived(n(1)), arrived(n(2)), arrived(n(3))].reduce(applyEvent, EMPTY_LIST);
    list = applyEvent(list, read([1, 2]));
    list = applyEvent(list, read([2]));
    expect(list.unread).toBe(1);
    expect(list.items.find((i) => i.id === 2)?.readAt).toBe('now');
    list = applyEvent(list, deleted(3));
    list = applyEvent(list, deleted(3));
    expect(list).toEqual({
      items: [expect.objectContaining({ id: 2 }), expect.objectContaining({ id: 1 })],
      unread: 0,
    });
    list = applyEvent(list, deleted(1));
    expect(list.unread).toBe(0);
  });

  it('keeps what arrived while a fetch was on its way, without counting twice', () => {
    // The page was read after 5 arrived but before 6 did; both events came during the fetch.
    const fetched = { items: [n(5), n(4, 'earlier')], unreadCount: 3 };
    const list = withFetched(fetched, [arrived(n(5)), arrived(n(6)), read([5])]);
    expect(list.items.map((i) => i.id)).toEqual([6, 5, 4]);
    expect(list.unread).toBe(3);
  });
});
