import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Fixed window per key as @nestjs/throttler's in-memory storage counts it: hits within `ttl`
 * of the first one; over `limit`, the key is blocked for `blockDuration`. Answers
 * `{hits, ttl left, blocked, block left}` in milliseconds.
 */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
local blocked = redis.call('PTTL', KEYS[2])
if blocked < 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return {hits, ttl, math.max(blocked, 0)}
`;

/**
 * @nestjs/throttler's storage in Redis, so a limit holds for the whole cluster instead of per
 * instance. When Redis does not answer, `fallback` (the in-memory storage) counts instead: the
 * limit then holds per instance, and a login never fails because Redis is away.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly fallback: ThrottlerStorage,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const base = `${this.prefix}throttle:${throttlerName}:${key}`;
    try {
      const [hits, ttlLeft, blockLeft] = (await this.redis.eval(
        INCREMENT,
        2,
        base,
        `${base}:blocked`,
        String(Math.max(1, Math.ceil(ttl))),
        String(limit),
        String(Math.max(1, Math.ceil(blockDuration))),
      )) as [number, number, number];
      return {
        totalHits: Number(hits),
        timeToExpire: Math.ceil(Number(ttlLeft) / 1000),
        isBlocked: Number(blockLeft) > 0,
        timeToBlockExpire: Math.ceil(Number(blockLeft) / 1000),
      };
    } catch {
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }
}
