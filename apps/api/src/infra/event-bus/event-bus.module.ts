import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Metrics } from '../metrics/metrics';
import { EventBus } from './event-bus';
import { InProcessEventBus } from './in-process-event-bus';
import { RedisEventBus } from './redis-event-bus';

// REDIS_URL selects the Redis bus (scale-out); without it everything stays in-process.
@Global()
@Module({
  providers: [
    {
      provide: EventBus,
      inject: [APP_CONFIG, Metrics],
      useFactory: async (config: AppConfig, metrics: Metrics): Promise<EventBus> => {
        if (!config.redisUrl) return new InProcessEventBus(metrics);
        const bus = new RedisEventBus(config.redisUrl, config.redisPrefix, metrics);
        if (!(await bus.waitUntilReady())) {
          new Logger('EventBus').warn('Redis is not answering yet; serving local clients until it does');
        }
        return bus;
      },
    },
  ],
  exports: [EventBus],
})
export class EventBusModule implements OnApplicationShutdown {
  constructor(@Inject(EventBus) private readonly bus: EventBus) {}

  async onApplicationShutdown() {
    if (this.bus instanceof RedisEventBus) await this.bus.close();
  }
}
