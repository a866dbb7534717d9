import type { Notification, NotificationEvent } from '@realtime/contracts';

/** What the centre shows: newest first, and the unread count (which may cover older pages too). */
export interface NotificationList {
  items: readonly Notification[];
  unread: number;
}

export const EMPTY_LIST: NotificationList = { items: [], unread: 0 };

/**
 * Applies one stream event. Idempotent: an event about something already applied (seen in a
 * fetched page, or replayed after a resume) changes nothing, so the count never drifts.
 */
export function applyEvent(list: NotificationList, event: NotificationEvent): NotificationList {
  switch (event.type) {
    case 'connected':
    case 'chat-unread': // the chat's (ChatUnreadStore), not the notification list's
      return list;
    case 'notification': {
      const n = event.data;
      if (list.items.some((i) => i.id === n.id)) return list;
      const items = [...list.items, n].sort((a, b) => b.id - a.id);
      return { items, unread: list.unread + (n.readAt ? 0 : 1) };
    }
    case 'notification-read': {
      const ids = new Set(event.data.ids);
      let newlyRead = 0;
      const items = list.items.map((i) => {
        if (!ids.has(i.id) || i.readAt) return i;
        newlyRead++;
        return { ...i, readAt: event.data.readAt };
      });
      return newlyRead ? { items, unread: Math.max(0, list.unread - newlyRead) } : list;
    }
    case 'notification-deleted': {
      const gone = list.items.find((i) => i.id === event.data.id);
      if (!gone) return list;
      return {
        items: list.items.filter((i) => i !== gone),
        unread: Math.max(0, list.unread - (gone.readAt ? 0 : 1)),
      };
    }
  }
}

/**
 * A freshly fetched page replaces the list, then the events that arrived while it was on its
 * way are applied again on top (idempotently), so nothing live is lost to the fetch.
 */
export function withFetched(
  fetched: { items: readonly Notification[]; unreadCount: number },
  eventsSinceRequest: readonly NotificationEvent[],
): NotificationList {
  return eventsSinceRequest.reduce(applyEvent, { items: fetched.items, unread: fetched.unreadCount });
}
