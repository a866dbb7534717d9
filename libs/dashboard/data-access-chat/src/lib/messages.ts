import type { ChatMessage } from '@realtime/contracts';

/**
 * Adds `incoming` to a room's messages, once each: a message can arrive both in a join's
 * history and live, or twice after a reconnect. Kept in server order (ids increase).
 */
export function mergeMessages(
  existing: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
): ChatMessage[] {
  if (incoming.length === 0) return existing as ChatMessage[];
  const byId = new Map<number, ChatMessage>();
  for (const m of existing) byId.set(m.id, m);
  let added = false;
  for (const m of incoming) {
    if (!byId.has(m.id)) added = true;
    byId.set(m.id, m);
  }
  if (!added) return existing as ChatMessage[];
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Messages after `lastReadId` written by someone else. */
export function countUnread(
  messages: readonly ChatMessage[],
  lastReadId: number,
  me: number | undefined,
): number {
  let n = 0;
  for (const m of messages) if (m.id > lastReadId && m.senderId !== me) n++;
  return n;
}
