import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Metrics } from '../metrics/metrics';
import { DatabaseHandle, migrateToLatest, openDatabase } from './database.provider';

export const DATABASE = Symbol('DATABASE');

@Global()
@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [APP_CONFIG, Metrics],
      useFactory: async (config: AppConfig, metrics: Metrics): Promise<DatabaseHandle> => {
        const handle = openDatabase(config.databaseUrl, metrics);
        const applied = await migrateToLatest(handle);
        new Logger('Database').log(
          `${handle.dialect} at ${handle.location}` +
            (applied.length ? `; applied ${applied.join(', ')}` : ''),
        );
        return handle;
      },
    },
  ],
  exports: [DATABASE],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  async onApplicationShutdown() {
    await this.handle.close();
  }
}
