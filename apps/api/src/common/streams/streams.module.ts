import { Global, Logger, Module } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { PresenceService } from '../../app/presence/presence.service';
import { Metrics } from '../../infra/metrics/metrics';
import { ShutdownSignal } from '../shutdown-signal';
import { StreamHub } from './stream-hub';

/** Spreads the `retry:` of each stream over [retry, 1.5 × retry]: see StreamHubOptions. */
export const RETRY_JITTER = 0.5;

/** The one StreamHub of the process, for every feature's streams. */
@Global()
@Module({
  providers: [
    {
      provide: StreamHub,
      inject: [APP_CONFIG, PresenceService, ShutdownSignal, Metrics],
      useFactory: (
        config: AppConfig,
        presence: PresenceService,
        shutdown: ShutdownSignal,
        metrics: Metrics,
      ) =>
        new StreamHub(
          {
            heartbeatMs: config.heartbeatMs,
            retryJitter: RETRY_JITTER,
            logger: new Logger('StreamHub'),
            observer: metrics,
          },
          presence,
          shutdown,
        ),
    },
  ],
  exports: [StreamHub],
})
export class StreamsModule {}
