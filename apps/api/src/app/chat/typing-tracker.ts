import type { AuthUser } from '@realtime/contracts';

interface Typing {
  roomId: string;
  user: AuthUser;
  socketId: string;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Who is typing where. A `start` that is not refreshed within `ttlMs` expires by itself and
 * calls `onExpire`, so a client that vanishes mid-sentence does not leave "typing…" behind.
 */
export class TypingTracker {
  private readonly entries = new Map<string, Typing>();

  constructor(
    private readonly ttlMs: number,
    private readonly onExpire: (roomId: string, user: AuthUser) => void,
  ) {}

  /** Starts or refreshes; true when the user was not typing in the room before. */
  start(roomId: string, user: AuthUser, socketId: string): boolean {
    const key = keyOf(roomId, user.id);
    const existing = this.entries.get(key);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.entries.delete(key);
      this.onExpire(roomId, user);
    }, this.ttlMs);
    this.entries.set(key, { roomId, user, socketId, timer });
    return !existing;
  }

  /** Stops without calling `onExpire`; returns the entry when the user was typing in the room. */
  stop(roomId: string, userId: number): Typing | undefined {
    const key = keyOf(roomId, userId);
    const existing = this.entries.get(key);
    if (!existing) return undefined;
    clearTimeout(existing.timer);
    this.entries.delete(key);
    return existing;
  }

  /** Stops everything that `socketId` started last: what to announce as stopped. */
  stopSocket(socketId: string): Array<{ roomId: string; user: AuthUser }> {
    const stopped: Array<{ roomId: string; user: AuthUser }> = [];
    for (const entry of [...this.entries.values()]) {
      if (entry.socketId !== socketId) continue;
      this.stop(entry.roomId, entry.user.id);
      stopped.push({ roomId: entry.roomId, user: entry.user });
    }
    return stopped;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }
}

function keyOf(roomId: string, userId: number): string {
  return `${roomId}\u0000${userId}`;
}
