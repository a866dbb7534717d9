import { ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';

import { RedisThrottlerStorage } from './redis-throttler-storage';
import { deleteKeys, testPrefix, testRedis } from './testing';

describe('RedisThrottlerStorage (real Redis)', () => {
  const redis = testRedis();
  const prefix = testPrefix();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('counts hits of every instance in one window and blocks over the limit', async () => {
    const a = new RedisThrottlerStorage(redis, prefix, new ThrottlerStorageService());
    const b = new RedisThrottlerStorage(redis, prefix, new ThrottlerStorageService());
    const first = await a.increment('ip', 60_000, 2, 60_000, 'login');
    expect(first).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
    expect(first.timeToExpire).toBeGreaterThan(0);
    expect(first.timeToExpire).toBeLessThanOrEqual(60);
    expect(await b.increment('ip', 60_000, 2, 60_000, 'login')).toMatchObject({
      totalHits: 2,
      isBlocked: false,
    });
    const third = await a.increment('ip', 60_000, 2, 60_000, 'login');
    expect(third).toMatchObject({ totalHits: 3, isBlocked: true });
    expect(third.timeToBlockExpire).toBeGreaterThan(0);
    expect(await b.increment('other-ip', 60_000, 2, 60_000, 'login')).toMatchObject({ totalHits: 1 });
  });

  it('counts in memory when Redis does not answer', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on('error', () => undefined);
    const memory = new ThrottlerStorageService();
    const storage = new RedisThrottlerStorage(down, prefix, memory);
    expect(await storage.increment('ip', 60_000, 1, 60_000, 'login')).toMatchObject({ totalHits: 1 });
    expect(await storage.increment('ip', 60_000, 1, 60_000, 'login')).toMatchObject({ isBlocked: true });
    down.disconnect();
    memory.onApplicationShutdown(); // its expiry timers would keep the test process alive
  });
});
