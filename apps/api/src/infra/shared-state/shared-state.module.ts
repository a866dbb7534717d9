import { Global, Module } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageService } from '@nestjs/throttler';

import { EventBus } from '../event-bus/event-bus';
import { RedisEventBus } from '../event-bus/redis-event-bus';
import { LeaderLock } from '../redis/leader-lock';
import { RedisPresenceRegistry } from '../redis/redis-presence-registry';
import { RedisThrottlerStorage } from '../redis/redis-throttler-storage';
import { RedisTickLog } from '../redis/redis-tick-log';
import { RedisTokenBucket } from '../redis/redis-token-bucket';
import { LocalRateLimits, RateLimits, UserRateLimit } from '../rate-limit/user-rate-limit';
import { LeaderElection, LocalLeaderElection } from './leader-election';
import { LocalPresenceRegistry, PresenceRegistry } from './presence-registry';
import { LocalTickLogs, type TickLog, TickLogs } from './tick-log';

/** @nestjs/throttler's storage for the login brake: counted cluster-wide with Redis. */
export const THROTTLER_STORAGE = Symbol('THROTTLER_STORAGE');

/** The Redis connection the bus opened (REDIS_URL), or null: chosen here, once. */
const redisOf = (bus: EventBus) => (bus instanceof RedisEventBus ? bus : null);

class RedisLeaderElection extends LeaderElection {
  constructor(private readonly redis: RedisEventBus) {
    super();
  }
  lease(key: string, holderId: string, ttlMs: number) {
    return new LeaderLock(this.redis.client, `${this.redis.prefix}${key}`, holderId, ttlMs);
  }
}

class RedisTickLogs extends TickLogs {
  constructor(private readonly redis: RedisEventBus) {
    super();
  }
  open(key: string, retentionMs: number, capacity: number): TickLog {
    return new RedisTickLog(this.redis.client, `${this.redis.prefix}${key}`, retentionMs, capacity);
  }
}

class RedisRateLimits extends RateLimits {
  constructor(private readonly redis: RedisEventBus) {
    super();
  }
  create(name: string, perSecond: number, burst: number): UserRateLimit {
    const bucket = new RedisTokenBucket(
      this.redis.client,
      `${this.redis.prefix}${name}:rate:`,
      perSecond,
      burst,
    );
    return new UserRateLimit(name, perSecond, burst, bucket);
  }
}

/**
 * What the instances of a cluster share, bound once by configuration: with REDIS_URL, in Redis
 * (through the bus's connection, under REDIS_PREFIX); without it, in this process. Features
 * inject the abstract classes and never ask which one they got.
 */
@Global()
@Module({
  providers: [
    {
      provide: LeaderElection,
      inject: [EventBus],
      useFactory: (bus: EventBus) => {
        const redis = redisOf(bus);
        return redis ? new RedisLeaderElection(redis) : new LocalLeaderElection();
      },
    },
    {
      provide: TickLogs,
      inject: [EventBus],
      useFactory: (bus: EventBus) => {
        const redis = redisOf(bus);
        return redis ? new RedisTickLogs(redis) : new LocalTickLogs();
      },
    },
    {
      provide: PresenceRegistry,
      inject: [EventBus],
      useFactory: (bus: EventBus) => {
        const redis = redisOf(bus);
        return redis ? new RedisPresenceRegistry(redis.client, redis.prefix) : new LocalPresenceRegistry();
      },
    },
    {
      provide: RateLimits,
      inject: [EventBus],
      useFactory: (bus: EventBus) => {
        const redis = redisOf(bus);
        return redis ? new RedisRateLimits(redis) : new LocalRateLimits();
      },
    },
    {
      provide: THROTTLER_STORAGE,
      inject: [EventBus],
      useFactory: (bus: EventBus): ThrottlerStorage | null => {
        const redis = redisOf(bus);
        return redis
          ? new RedisThrottlerStorage(redis.client, redis.prefix, new ThrottlerStorageService())
          : null;
      },
    },
  ],
  exports: [LeaderElection, TickLogs, PresenceRegistry, RateLimits, THROTTLER_STORAGE],
})
export class SharedStateModule {}
