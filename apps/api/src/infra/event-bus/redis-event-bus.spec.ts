import { firstValueFrom, take, toArray } from 'rxjs';

import { RedisEventBus } from './redis-event-bus';

// Runs against the real Redis server of this machine and CI (127.0.0.1:6379).
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisEventBus (real Redis)', () => {
  const buses: RedisEventBus[] = [];
  const open = async () => {
    const bus = new RedisEventBus(REDIS_URL);
    buses.push(bus);
    expect(await bus.waitUntilReady()).toBe(true);
    return bus;
  };
  afterAll(async () => Promise.all(buses.map((b) => b.close())));

  it('delivers a message published on one instance to subscribers on another, in order', async () => {
    const a = await open();
    const b = await open();
    const channel = `test:${Date.now()}:${Math.random()}`;
    const onB = firstValueFrom(b.channel(channel).pipe(take(3), toArray()));
    const onA = firstValueFrom(a.channel(channel).pipe(take(3), toArray()));
    // The SUBSCRIBE commands must have reached Redis before publishing: a PING on the
    // subscriber connection is answered after them.
    await Promise.all(
      [a, b].map((bus) => (bus as unknown as { sub: { ping(): Promise<unknown> } }).sub.ping()),
    );
    for (const m of ['1', '2', '3']) await a.publish(channel, m);
    expect(await onB).toEqual(['1', '2', '3']);
    expect(await onA).toEqual(['1', '2', '3']);
  });

  it('keeps deployments with different prefixes apart on one Redis', async () => {
    const a = new RedisEventBus(REDIS_URL, 'one:');
    const b = new RedisEventBus(REDIS_URL, 'two:');
    buses.push(a, b);
    expect(await a.waitUntilReady()).toBe(true);
    expect(await b.waitUntilReady()).toBe(true);
    const channel = `test:${Date.now()}:${Math.random()}`;
    const onA = firstValueFrom(a.channel(channel).pipe(take(2), toArray()));
    const onB = firstValueFrom(b.channel(channel).pipe(take(2), toArray()));
    await Promise.all(
      [a, b].map((bus) => (bus as unknown as { sub: { ping(): Promise<unknown> } }).sub.ping()),
    );
    // Redis delivers in publish order: a leak would arrive before the closing message.
    await a.publish(channel, 'for one');
    await b.publish(channel, 'for two');
    await a.publish(channel, 'end one');
    await b.publish(channel, 'end two');
    expect(await onA).toEqual(['for one', 'end one']);
    expect(await onB).toEqual(['for two', 'end two']);
  });

  it('forgets a channel when the last subscriber leaves', async () => {
    const a = await open();
    const s = a.channel('test:forget').subscribe();
    expect(a.openChannels).toBe(1);
    s.unsubscribe();
    expect(a.openChannels).toBe(0);
  });

  it('delivers locally while Redis is unreachable instead of failing', async () => {
    const bus = new RedisEventBus('redis://127.0.0.1:1');
    buses.push(bus);
    expect(bus.connected).toBe(false);
    const got = firstValueFrom(bus.channel('local').pipe(take(1)));
    await bus.publish('local', 'still here');
    expect(await got).toBe('still here');
  });
});
