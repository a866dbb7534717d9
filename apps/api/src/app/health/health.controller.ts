import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

import { Public } from '../../common/public.decorator';
import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, ping } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly bus: EventBus,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
  ) {}

  /** 200 while the database answers; Redis, when configured, is reported but never fatal. */
  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('database');
        const started = performance.now();
        try {
          await ping(this.database.db);
          return indicator.up({
            dialect: this.database.dialect,
            latencyMs: Math.round(performance.now() - started),
          });
        } catch (err) {
          return indicator.down({
            dialect: this.database.dialect,
            message: (err as Error).message,
          });
        }
      },
      async () =>
        this.indicators.check('eventBus').up({ kind: this.bus.kind, connected: this.bus.connected }),
    ]);
  }
}
