import { Controller, Get, Headers, HttpCode, Inject, type MessageEvent, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';

import type { DashboardConnectionsResponse, DashboardMetrics } from '@realtime/contracts';

import { ActionRateLimits } from '../../common/action-rate-limits';
import { CurrentUser } from '../../common/current-user.decorator';
import { StreamAuth } from '../../common/public.decorator';
import { Roles } from '../../common/roles.decorator';
import { EventStream } from '../../common/streams/event-stream.decorator';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { VerifiedUser } from '../auth/token.service';
import { DashboardService } from './dashboard.service';

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('dashboard')
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limits: ActionRateLimits,
  ) {}

  /**
   * `metrics` events every DASHBOARD_TICK_MS. Resume with the `Last-Event-ID` header, or
   * `?lastEventId=` for a client that reconnects by hand (an event id is no credential).
   */
  @StreamAuth()
  @EventStream('stream')
  stream(
    @CurrentUser() user: VerifiedUser,
    @Headers('last-event-id') header: string | undefined,
    @Query('lastEventId') query: unknown,
  ): Observable<MessageEvent> {
    return this.dashboard.stream(user, header ?? (typeof query === 'string' ? query : undefined));
  }

  @Get('snapshot')
  snapshot(): Promise<DashboardMetrics> {
    return this.dashboard.snapshot();
  }

  @Post('refresh')
  @HttpCode(200)
  @Roles('operator')
  async refresh(@CurrentUser() user: VerifiedUser): Promise<DashboardMetrics> {
    await this.limits.spend('refresh', user);
    return this.dashboard.refresh(user.id);
  }

  // GET /api/dashboard/history: HistoryController (app/history), the kept ticks and the stored series.

  /** What is open right now on this instance: streams, connections per kind, active users. */
  @Get('connections')
  connections(): DashboardConnectionsResponse {
    return this.dashboard.connections();
  }
}
