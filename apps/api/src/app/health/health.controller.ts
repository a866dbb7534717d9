import { timingSafeEqual } from 'node:crypto';

import { Controller, Get, Headers, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

import { Public } from '../../common/public.decorator';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, ping } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';
import { bearerToken } from '../auth/jwt-auth.guard';
import { TokenService } from '../auth/token.service';
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
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * 200 while the database answers (503 when it does not). Redis, when configured, is reported
   * but never fatal: without it each instance still serves its own clients, so the answer says
   * `degraded: true` instead of failing the instance out of a load balancer.
   */
  @Public()
  @Get()
  async check(@Headers('authorization') authorization?: string) {
    const report = await this.report();
    // The public (and a load balancer) learns whether to send traffic here; the instance id,
    // connection counts and the database dialect are for monitoring and admins only.
    if (await this.mayReadDetails(bearerToken(authorization))) return report;
    return { status: report.status };
  }

  /** `Bearer <MONITORING_TOKEN>`, or the access token of an admin. A bad token just gets the bare status. */
  private async mayReadDetails(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    const expected = this.config.monitoringToken;
    if (expected) {
      const [given, wanted] = [Buffer.from(token), Buffer.from(expected)];
      if (given.length === wanted.length && timingSafeEqual(given, wanted)) return true;
    }
    try {
      return (await this.tokens.verify(token)).role === 'admin';
    } catch {
      return false;
    }
  }

  private async report() {
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
