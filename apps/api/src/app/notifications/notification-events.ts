import type { MessageEvent } from '@nestjs/common';

import type { NotificationEventType } from '@realtime/contracts';

/** The kinds of stored change; `connected` is per stream and never stored, nor is `chat-unread`. */
export type StoredEventKind = Exclude<NotificationEventType, 'connected'>;

/**
 * `chat-unread` rides the user's channel with id 0: it is not stored, so the stream core sends
 * it as an ephemeral event (at once, without an `id:` line: a resume neither replays nor skips
 * for it, and Last-Event-ID stays at the last stored event).
 */
export const CHAT_UNREAD_KIND = 'chat-unread';
export function chatUnreadBusMessage(payload: string): string {
  return `0 ${CHAT_UNREAD_KIND} ${payload}`;
}

/** One row of `notification_events`: its id is the SSE event id, `payload` the `data:` JSON. */
export interface StoredEvent {
  id: number;
  kind: StoredEventKind;
  payload: string;
  /** The trace id of the request that made it (logs only; travels on the bus, never stored). */
  traceId?: string;
}

/** One bus channel per user: publishing reaches exactly that user's streams, on every instance. */
export function userChannel(userId: number): string {
  return `notifications:user:${userId}`;
}

/**
 * Bus message: `<id> <kind> <payload>`. The payload stays the JSON string that was stored,
 * so an event is serialized once, when it is written, and every stream slices it out and
 * sends it as it is, without parsing it again.
 */
export function encodeBusMessage(event: StoredEvent): string {
  const kind = event.traceId ? `${event.kind};${event.traceId}` : event.kind;
  return `${event.id} ${kind} ${event.payload}`;
}

export function decodeBusMessage(message: string): StoredEvent | undefined {
  const first = message.indexOf(' ');
  const second = message.indexOf(' ', first + 1);
  if (first <= 0 || second < 0) return undefined;
  const id = Number(message.slice(0, first));
  if (!Number.isSafeInteger(id)) return undefined;
  // `<kind>;<traceId>`: the trace id rides along with the kind (see encodeBusMessage).
  const [kind, traceId] = message.slice(first + 1, second).split(';');
  return {
    id,
    kind: kind as StoredEventKind,
    payload: message.slice(second + 1),
    ...(traceId ? { traceId } : {}),
  };
}

export function toMessageEvent(event: StoredEvent): MessageEvent {
  return { id: String(event.id), type: event.kind, data: event.payload };
}

/**
 * A resume point from `Last-Event-ID` (or `?lastEventId=`), or undefined for a fresh start:
 * anything but a plain non-negative integer is ignored rather than refused, so a client with
 * a garbled id still gets a stream.
 */
export function parseLastEventId(value: unknown): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}
