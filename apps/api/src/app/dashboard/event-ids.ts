/**
 * Event ids are epoch milliseconds, forced strictly increasing: they order every event of
 * this instance, and stay comparable with the ids of other instances (clock skew aside).
 */
export class EventIds {
  private lastId: number;

  constructor(start: number) {
    this.lastId = start - 1;
  }

  next(now: number): number {
    this.lastId = Math.max(Math.floor(now), this.lastId + 1);
    return this.lastId;
  }

  /** Keeps future ids above one seen from elsewhere (another instance's tick). */
  observe(id: number): void {
    if (id > this.lastId) this.lastId = id;
  }

  get last(): number {
    return this.lastId;
  }
}

/** A `Last-Event-ID` as a number, or null for anything we never issued the shape of. */
export function parseEventId(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}
