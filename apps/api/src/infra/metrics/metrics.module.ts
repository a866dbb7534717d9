import { Global, Module } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Metrics } from './metrics';

/** The one registry of this process, for whoever measures something. */
@Global()
@Module({
  providers: [
    {
      provide: Metrics,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new Metrics(config.version),
    },
  ],
  exports: [Metrics],
})
export class MetricsModule {}
