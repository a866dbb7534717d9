import type { AuthUser } from '@realtime/contracts';

interface Slot {
  user: AuthUser;
  roomId: string;
  /** The state last relayed, and the latest one asked for within the window. */
  sent: boolean;
  wanted: boolean;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * At most one `typing` relay per user and room every `intervalMs`: a change inside the window
 * waits for its end, and only the last state is sent (a burst of toggles costs the room one
 * or two events, not one per toggle). An idle slot is dropped at the end of its window.
 */
export class TypingRelay {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly intervalMs: number,
    private readonly send: (roomId: string, user: AuthUser, isTyping: boolean) => void,
  ) {}

  push(roomId: string, user: AuthUser, isTyping: boolean): void {
    const key = `${roomId}\u0000${user.id}`;
    const slot = this.slots.get(key);
    if (slot) {
      slot.wanted = isTyping;
      return;
    }
    this.send(roomId, user, isTyping);
    if (this.intervalMs <= 0) return;
    this.slots.set(key, { user, roomId, sent: isTyping, wanted: isTyping, timer: this.arm(key) });
  }

  /**
   * The user's message went out: every client clears that user's indicator on it, so the last
   * state they saw is "not typing", whatever was relayed before.
   */
  messageSent(roomId: string, userId: number): void {
    const slot = this.slots.get(`${roomId}\u0000${userId}`);
    if (slot) slot.sent = slot.wanted = false;
  }

  private arm(key: string): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      const slot = this.slots.get(key);
      if (!slot) return;
      if (slot.wanted === slot.sent) {
        this.slots.delete(key);
        return;
      }
      slot.sent = slot.wanted;
      this.send(slot.roomId, slot.user, slot.sent);
      slot.timer = this.arm(key);
    }, this.intervalMs);
    timer.unref?.();
    return timer;
  }

  get size(): number {
    return this.slots.size;
  }

  clear(): void {
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    this.slots.clear();
  }
}
