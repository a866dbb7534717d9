import { LeaderLock } from './leader-lock';
import { deleteKeys, testPrefix, testRedis } from './testing';

describe('LeaderLock (real Redis)', () => {
  const redis = testRedis();
  const prefix = testPrefix();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('has one holder at a time, renewed by it, taken over once released', async () => {
    const a = new LeaderLock(redis, `${prefix}leader`, 'a', 10_000);
    const b = new LeaderLock(redis, `${prefix}leader`, 'b', 10_000);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(await a.acquire()).toBe(true);
    await b.release(); // not b's: nothing happens
    expect(await a.holder()).toBe('a');
    await a.release();
    expect(await b.acquire()).toBe(true);
    expect(await a.acquire()).toBe(false);
  });

  it('is taken over when the holder stops renewing', async () => {
    const a = new LeaderLock(redis, `${prefix}lapse`, 'a', 50);
    const b = new LeaderLock(redis, `${prefix}lapse`, 'b', 50);
    expect(await a.acquire()).toBe(true);
    // b asks until the lease lapses (it will: a never renews).
    while (!(await b.acquire())) await new Promise((r) => setTimeout(r, 10));
    expect(await a.holder()).toBe('b');
  });
});
