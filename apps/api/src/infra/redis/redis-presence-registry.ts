import type Redis from 'ioredis';

import { PresenceRegistry } from '../shared-state/presence-registry';

/**
 * One Lua round-trip: writes this instance's users (a JSON array under its own key, expiring
 * after the TTL), registers the instance with its expiry time, forgets instances whose entry
 * has expired, and returns the users of every other live instance. Expiry is Redis time, so
 * the instances' clocks do not have to agree.
 */
const EXCHANGE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('SET', ARGV[1] .. ARGV[2], ARGV[4], 'PX', ttl)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  if id ~= ARGV[2] then
    local users = redis.call('GET', ARGV[1] .. id)
    if users then
      out[#out + 1] = id
      out[#out + 1] = users
    end
  end
end
return out
`;

const LEAVE = `
redis.call('DEL', ARGV[1] .. ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[2])
return 1
`;

/**
 * Per-instance presence in Redis: `<prefix>presence:instances` (a sorted set of instance ids
 * by expiry) and `<prefix>presence:<instance>` (its user ids). An instance that dies stops
 * refreshing, and its users stop counting once its TTL is over.
 */
export class RedisPresenceRegistry extends PresenceRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super();
  }

  private get index(): string {
    return `${this.prefix}presence:instances`;
  }

  private get entryPrefix(): string {
    return `${this.prefix}presence:`;
  }

  /** Publishes `userIds` for `instanceId` and returns the users of the other live instances. */
  async exchange(instanceId: string, userIds: number[], ttlMs: number): Promise<Map<string, number[]>> {
    const reply = (await this.redis.eval(
      EXCHANGE,
      1,
      this.index,
      this.entryPrefix,
      instanceId,
      String(Math.ceil(ttlMs)),
      JSON.stringify(userIds),
    )) as string[];
    const others = new Map<string, number[]>();
    for (let i = 0; i + 1 < reply.length; i += 2) {
      try {
        const users = JSON.parse(reply[i + 1]) as unknown;
        if (Array.isArray(users))
          others.set(
            reply[i],
            users.filter((u) => Number.isInteger(u)),
          );
      } catch {
        // another version's entry: ignored rather than trusted
      }
    }
    return others;
  }

  /** Removes `instanceId` at once (a clean shutdown does not wait for the TTL). */
  async leave(instanceId: string): Promise<void> {
    await this.redis.eval(LEAVE, 1, this.index, this.entryPrefix, instanceId);
  }
}
