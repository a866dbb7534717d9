import type { AppConfig } from '../../config/app-config';
import { RedisEventBus } from '../../infra/event-bus/redis-event-bus';
import { RedisPresenceRegistry } from '../../infra/redis/redis-presence-registry';
import { TEST_REDIS_URL, deleteKeys, testPrefix, testRedis } from '../../infra/redis/testing';
import { PresenceService } from './presence.service';

describe('PresenceService', () => {
  it('counts distinct users across connections and kinds, and releases once', () => {
    const p = new PresenceService();
    const a1 = p.track(1, 'dashboard');
    const a2 = p.track(1, 'chat');
    const b = p.track(2, 'notifications');
    expect(p.activeUsers()).toBe(2);
    expect(p.connections()).toBe(3);
    a1();
    a1();
    expect(p.activeUsers()).toBe(2);
    expect(p.connectionsOf(1)).toBe(1);
    a2();
    expect(p.activeUsers()).toBe(1);
    b();
    expect(p.activeUsers()).toBe(0);
    expect(p.connections()).toBe(0);
  });
});

describe('PresenceService across instances (real Redis)', () => {
  const prefix = testPrefix();
  const buses: RedisEventBus[] = [];
  const services: PresenceService[] = [];
  const instance = async () => {
    const bus = new RedisEventBus(TEST_REDIS_URL, prefix);
    buses.push(bus);
    expect(await bus.waitUntilReady()).toBe(true);
    const presence = new PresenceService(new RedisPresenceRegistry(bus.client, bus.prefix), {
      presenceTtlMs: 60_000,
    } as AppConfig);
    services.push(presence);
    return presence;
  };
  afterAll(async () => {
    services.forEach((s) => s.beforeApplicationShutdown());
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await Promise.all(buses.map((b) => b.close()));
  });

  it('counts the distinct users of every live instance, and forgets one that leaves', async () => {
    const a = await instance();
    const b = await instance();
    const releaseAlice = a.track(1, 'dashboard');
    a.track(2, 'chat');
    b.track(2, 'notifications');
    b.track(3, 'dashboard');
    expect([a.activeUsers(), b.activeUsers()]).toEqual([2, 2]); // nothing exchanged yet
    await a.sync();
    await b.sync();
    await a.sync();
    expect([a.activeUsers(), b.activeUsers()]).toEqual([3, 3]);
    expect([a.localUsers(), b.localUsers()]).toEqual([2, 2]);
    releaseAlice();
    expect(a.activeUsers()).toBe(2); // this instance's own change counts at once
    await b.beforeApplicationShutdown();
    await a.sync();
    expect(a.activeUsers()).toBe(1);
  });
});
