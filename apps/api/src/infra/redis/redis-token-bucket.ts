import type Redis from 'ioredis';

/**
 * A token bucket in one Redis hash per key, on Redis time (the instances' clocks need not
 * agree): refills `perSecond` up to `burst`, spends one token, answers 0 or the milliseconds
 * until a token is back. The hash expires once it would be full again (a full bucket and a
 * missing one behave the same).
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return wait
`;

export class RedisTokenBucket {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Spends one token of `key`: 0 when allowed, otherwise the milliseconds until one is back. */
  async take(key: string | number): Promise<number> {
    const wait = await this.redis.eval(
      TAKE,
      1,
      `${this.keyPrefix}${key}`,
      String(this.perSecond),
      String(this.burst),
    );
    return Number(wait);
  }
}
