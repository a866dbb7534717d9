import { Inject, Injectable } from '@nestjs/common';

import type { Currency, DashboardMetrics } from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { PresenceService } from '../presence/presence.service';
import { buildMetrics } from './metrics-snapshot';
import { OrderStatsService } from './order-stats.service';
import { type SystemCheck, SystemHealthService } from './system-health.service';

/** Computes the metrics object: `measure()` runs the system checks, `current()` reuses the last ones. */
@Injectable()
export class DashboardMetricsService {
  private lastCheck: SystemCheck | undefined;

  constructor(
    private readonly presence: PresenceService,
    private readonly stats: OrderStatsService,
    private readonly health: SystemHealthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Runs the checks (database ping included), then composes; `newWindow` is for the ticker. */
  async measure(newWindow = false): Promise<DashboardMetrics> {
    this.lastCheck = await this.health.check(newWindow);
    return this.current();
  }

  /** The counters as they are now with the latest checks: no I/O, for each new stream. */
  current(now = Date.now()): DashboardMetrics {
    return buildMetrics({
      now,
      activeUsers: this.presence.activeUsers(),
      stats: this.stats,
      currency: this.config.currency as Currency,
      check: this.lastCheck,
    });
  }
}
