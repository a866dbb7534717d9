import type { MessageEvent } from '@nestjs/common';

import type { DashboardMetrics } from '@realtime/contracts';

export interface Tick {
  id: number;
  /** The event as sent: shared by every stream, serialized once. */
  event: MessageEvent;
  metrics: DashboardMetrics;
  /** When it was received, epoch ms: what the retention window is measured on. */
  at: number;
}

/**
 * The ticks of the last `retentionMs` (and at most `capacity` of them), oldest first, for
 * resume and history. It knows whether a resume is gap-free: every tick with an id above
 * `floor` is still here, where `floor` is the newest evicted id, or the first id this
 * process could have issued while nothing has been evicted.
 */
export class TickRing {
  private items: Tick[] = [];
  private head = 0;
  private floor: number;

  constructor(
    private readonly retentionMs: number,
    private readonly capacity: number,
    firstPossibleId: number,
  ) {
    this.floor = firstPossibleId - 1;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get newest(): Tick | undefined {
    return this.size ? this.items[this.items.length - 1] : undefined;
  }

  push(tick: Tick): void {
    const newest = this.newest;
    if (newest && tick.id <= newest.id) return; // out of order or a duplicate: ids only grow
    this.items.push(tick);
    this.evict(tick.at);
  }

  /**
   * Puts ticks from before the oldest one held in front of it (what an instance reads from the
   * shared log at start). They must be gap-free from their first one on, which then becomes the
   * resume floor: a client whose last id is at or above it misses nothing.
   */
  seed(ticks: Tick[], now: number): void {
    const oldest = this.size ? this.items[this.head].id : Infinity;
    const older: Tick[] = [];
    for (const t of ticks)
      if (t.id < oldest && (!older.length || t.id > older[older.length - 1].id)) older.push(t);
    if (!older.length) return;
    this.items = [...older, ...this.items.slice(this.head)];
    this.head = 0;
    this.floor = Math.min(this.floor, older[0].id);
    this.evict(now);
  }

  /** Drops what has left the window by `now`. */
  evict(now: number): void {
    while (this.size && (this.items[this.head].at < now - this.retentionMs || this.size > this.capacity)) {
      this.floor = this.items[this.head].id;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The ticks after `id`, oldest first; null when some of them are no longer kept. */
  after(id: number): Tick[] | null {
    if (id < this.floor) return null;
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].id <= id) lo = mid + 1;
      else hi = mid;
    }
    return this.items.slice(lo);
  }

  /** The ticks received since `since`, oldest first. */
  since(since: number): Tick[] {
    let i = this.head;
    while (i < this.items.length && this.items[i].at < since) i++;
    return this.items.slice(i);
  }
}
