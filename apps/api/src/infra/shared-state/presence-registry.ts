/** Where the instances of a cluster tell each other which users they serve. */
export abstract class PresenceRegistry {
  /** Publishes `userIds` for `instanceId` and returns the users of the other live instances. */
  abstract exchange(instanceId: string, userIds: number[], ttlMs: number): Promise<Map<string, number[]>>;
  /** Removes `instanceId` at once (a clean shutdown does not wait for the TTL). */
  abstract leave(instanceId: string): Promise<void>;
}

/** Alone, there are no other instances. */
export class LocalPresenceRegistry extends PresenceRegistry {
  async exchange(): Promise<Map<string, number[]>> {
    return new Map();
  }
  async leave(): Promise<void> {
    return undefined;
  }
}
