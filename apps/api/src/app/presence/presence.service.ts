import { Injectable } from '@nestjs/common';

export type ConnectionKind = 'dashboard' | 'notifications' | 'chat';

/**
 * Who is connected right now: every open SSE stream and chat socket registers here and
 * releases on close. `activeUsers` counts distinct users. One process here; the scale-out
 * work shares the per-instance counts through Redis.
 */
@Injectable()
export class PresenceService {
  private readonly perUser = new Map<number, number>();
  private readonly perKind = new Map<ConnectionKind, number>();

  /** Registers one connection; call the returned function exactly once when it closes. */
  track(userId: number, kind: ConnectionKind): () => void {
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
    this.perKind.set(kind, (this.perKind.get(kind) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
      this.perKind.set(kind, (this.perKind.get(kind) ?? 1) - 1);
    };
  }

  activeUsers(): number {
    return this.perUser.size;
  }

  connectionsOf(userId: number): number {
    return this.perUser.get(userId) ?? 0;
  }

  connections(kind?: ConnectionKind): number {
    if (kind) return this.perKind.get(kind) ?? 0;
    let total = 0;
    for (const n of this.perKind.values()) total += n;
    return total;
  }
}
