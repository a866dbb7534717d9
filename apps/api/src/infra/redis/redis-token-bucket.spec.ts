import { RedisTokenBucket } from './redis-token-bucket';
import { deleteKeys, testPrefix, testRedis } from './testing';

describe('RedisTokenBucket (real Redis)', () => {
  const redis = testRedis();
  const prefix = testPrefix();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('allows the burst, then answers how long to wait, shared by every holder of the key', async () => {
    // Two instances, one bucket: a slow refill so that no token comes back during the test.
    const a = new RedisTokenBucket(redis, prefix, 1, 3);
    const b = new RedisTokenBucket(redis, prefix, 1, 3);
    expect([await a.take(7), await b.take(7), await a.take(7)]).toEqual([0, 0, 0]);
    const wait = await b.take(7);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1000);
    expect(await a.take(8)).toBe(0); // another user has their own bucket
    expect(await redis.pttl(`${prefix}7`)).toBeGreaterThan(0); // forgotten once full again
  });
});
