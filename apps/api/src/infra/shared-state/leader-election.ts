/** A renewable lease that one instance of a cluster holds at a time. */
export interface LeaderLease {
  /** Renews or takes the lease; true while this holder has it. Rejects when the store does not answer. */
  acquire(): Promise<boolean>;
  /** Gives the lease up (at shutdown) so another instance takes over at once. */
  release(): Promise<void>;
}

/** Leases for electing one instance to do a job (publish the ticks …): Redis or this process. */
export abstract class LeaderElection {
  /** The lease `key` for `holderId`, expiring `ttlMs` after its last renewal. */
  abstract lease(key: string, holderId: string, ttlMs: number): LeaderLease;
}

/** A single instance always leads. */
export class LocalLeaderElection extends LeaderElection {
  lease(): LeaderLease {
    return { acquire: async () => true, release: async () => undefined };
  }
}
