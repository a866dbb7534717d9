import type Redis from 'ioredis';

import type { LeaderLease } from '../shared-state/leader-election';

/** Keeps the lock when we hold it, takes it when nobody does: 1 if we hold it afterwards. */
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * A lease in Redis (`SET key id PX ttl`, renewed by its holder): one holder at a time; when the
 * holder stops renewing (it died, or lost Redis) the lease runs out and the next instance to
 * ask takes it. Good for electing one publisher, not for mutual exclusion of critical data.
 */
export class LeaderLock implements LeaderLease {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly holderId: string,
    private readonly ttlMs: number,
  ) {}

  /** Renews or takes the lease; true while this holder has it. Rejects when Redis does not answer. */
  async acquire(): Promise<boolean> {
    const held = await this.redis.eval(ACQUIRE, 1, this.key, this.holderId, String(Math.ceil(this.ttlMs)));
    return held === 1;
  }

  /** Gives the lease up (at shutdown) so another instance takes over without waiting for the TTL. */
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.holderId);
  }

  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}
