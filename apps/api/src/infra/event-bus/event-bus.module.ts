import { Global, Module } from '@nestjs/common';

import { EventBus } from './event-bus';
import { InProcessEventBus } from './in-process-event-bus';

// REDIS_URL selects the Redis bus (scale-out); without it everything stays in-process.
@Global()
@Module({
  providers: [{ provide: EventBus, useClass: InProcessEventBus }],
  exports: [EventBus],
})
export class EventBusModule {}
