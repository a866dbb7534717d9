import { RedisTickLog } from './redis-tick-log';
import { deleteKeys, testPrefix, testRedis } from './testing';

describe('RedisTickLog (real Redis)', () => {
  const redis = testRedis();
  const prefix = testPrefix();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('keeps the ticks of the retention window in order and refuses older ids', async () => {
    const now = 1_800_000_000_000;
    const log = new RedisTickLog(redis, `${prefix}ticks`, 10_000, 100);
    for (let i = 0; i < 20; i++)
      expect(await log.append({ id: now + i * 1000, data: `{"n":${i}}` }, now + i * 1000)).toBe(true);
    expect(await log.append({ id: now, data: '{}' }, now + 20_000)).toBe(false);
    const kept = await log.recent(now + 19_000);
    expect(kept.map((t) => t.id)).toEqual(Array.from({ length: 11 }, (_, k) => now + (9 + k) * 1000));
    expect(kept[0].data).toBe('{"n":9}');
  });

  it('returns at most `capacity` of the newest ticks', async () => {
    const now = 1_800_000_000_000;
    const log = new RedisTickLog(redis, `${prefix}small`, 60_000, 3);
    for (let i = 0; i < 5; i++) await log.append({ id: now + i, data: String(i) }, now + i);
    expect((await log.recent(now + 5)).map((t) => t.data)).toEqual(['2', '3', '4']);
  });
});
