import { Global, Module } from '@nestjs/common';

import { ShutdownSignal } from '../../common/shutdown-signal';
import { InFlightRequests } from './in-flight';
import { ShutdownService } from './shutdown.service';

/** The process's life: the requests in flight, and the shutdown, fired once by ShutdownService. */
@Global()
@Module({
  providers: [ShutdownSignal, InFlightRequests, ShutdownService],
  exports: [ShutdownSignal, InFlightRequests],
})
export class LifecycleModule {}
