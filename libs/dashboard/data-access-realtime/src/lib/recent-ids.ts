/**
 * The last `capacity` event ids seen on one channel, to drop an event that arrives twice (a
 * replay after a takeover, or the same event from two leaders for a moment). Ids are compared
 * as strings only, so any id format works.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 1000) {}

  /** Remembers `id`; false if it was already there. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}
