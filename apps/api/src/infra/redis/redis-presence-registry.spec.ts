import { RedisPresenceRegistry } from './redis-presence-registry';
import { deleteKeys, testPrefix, testRedis } from './testing';

describe('RedisPresenceRegistry (real Redis)', () => {
  const redis = testRedis();
  const prefix = testPrefix();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("returns the other live instances' users, forgets one that leaves or stops refreshing", async () => {
    const registry = new RedisPresenceRegistry(redis, prefix);
    expect(await registry.exchange('a', [1, 2], 60_000)).toEqual(new Map());
    expect(await registry.exchange('b', [2, 3], 60_000)).toEqual(new Map([['a', [1, 2]]]));
    expect(await registry.exchange('c', [], 100)).toEqual(
      new Map([
        ['a', [1, 2]],
        ['b', [2, 3]],
      ]),
    );
    await registry.leave('b');
    expect(await registry.exchange('a', [1], 60_000)).toEqual(new Map([['c', []]]));
    // c never refreshes: once its TTL is over it is gone from everyone's view.
    let others = await registry.exchange('a', [1], 60_000);
    while (others.has('c')) {
      await new Promise((r) => setTimeout(r, 20));
      others = await registry.exchange('a', [1], 60_000);
    }
    expect(others).toEqual(new Map());
    expect(await redis.zrange(`${prefix}presence:instances`, 0, -1)).toEqual(['a']);
  });
});
