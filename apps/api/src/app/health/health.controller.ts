import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

import { Public } from '../../common/public.decorator';
import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, ping } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';
import { DashboardService } from '../dashboard/dashboard.service';
import { PresenceService } from '../presence/presence.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly bus: EventBus,
    private readonly presence: PresenceService,
    private readonly dashboard: DashboardService,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
  ) {}

  /**
   * 200 while the database answers (503 when it does not). Redis, when configured, is reported
   * but never fatal: without it each instance still serves its own clients, so the answer says
   * `degraded: true` instead of failing the instance out of a load balancer.
   */
  @Public()
  @Get()
  async check() {
    const result = await this.health.check([
      async () => {
        const indicator = this.indicators.check('database');
        const started = performance.now();
        try {
          await ping(this.database.db);
          return indicator.up({
            dialect: this.database.dialect,
            latencyMs: Math.round(performance.now() - started),
            // Statements this instance has run (this check's own ping included).
            ...(this.database.queryCount ? { queries: this.database.queryCount() } : {}),
          });
        } catch (err) {
          return indicator.down({ dialect: this.database.dialect, message: (err as Error).message });
        }
      },
    ]);
    const redis =
      this.bus.kind === 'redis'
        ? { status: this.bus.connected ? 'up' : 'down', connected: this.bus.connected }
        : { status: 'disabled' };
    return {
      ...result,
      degraded: this.bus.kind === 'redis' && !this.bus.connected,
      details: {
        ...result.details,
        redis,
        connections: {
          status: 'up',
          activeUsers: this.presence.activeUsers(),
          activeUsersHere: this.presence.localUsers(),
          instance: this.presence.instanceId,
          dashboard: this.presence.connections('dashboard'),
          notifications: this.presence.connections('notifications'),
          chat: this.presence.connections('chat'),
        },
        // Which instance of a cluster publishes the dashboard ticks (the lease holder).
        dashboard: { status: 'up', ticks: this.dashboard.publishingTicks ? 'publishing' : 'following' },
      },
    };
  }
}
