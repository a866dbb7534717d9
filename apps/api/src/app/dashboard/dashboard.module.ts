import { Module } from '@nestjs/common';

import { DashboardController } from './dashboard.controller';
import { DashboardMetricsService } from './dashboard-metrics.service';
import { DashboardService } from './dashboard.service';
import { OrderStatsService } from './order-stats.service';
import { SystemHealthService } from './system-health.service';

@Module({
  controllers: [DashboardController],
  providers: [OrderStatsService, SystemHealthService, DashboardMetricsService, DashboardService],
  exports: [DashboardService],
})
export class DashboardModule {}
