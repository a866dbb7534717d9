import { Controller, Get, Headers, HttpCode, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import type { DashboardConnectionsResponse, DashboardMetrics } from '@realtime/contracts';

import { ActionRateLimits } from '../../common/action-rate-limits';
import { CurrentUser } from '../../common/current-user.decorator';
import { StreamAuth } from '../../common/public.decorator';
import { Roles } from '../../common/roles.decorator';
import { SSE_MAX_PENDING_CHARS, writeSse } from '../../common/sse';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ConnectionRevoker } from '../accounts/connection-revoker';
import type { VerifiedUser } from '../auth/token.service';
import { DashboardService } from './dashboard.service';

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('dashboard')
export class DashboardController {
  private readonly logger = new Logger(DashboardController.name);

  constructor(
    private readonly dashboard: DashboardService,
    private readonly revoker: ConnectionRevoker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limits: ActionRateLimits,
  ) {}

  /**
   * `metrics` events every DASHBOARD_TICK_MS. Resume with the `Last-Event-ID` header, or
   * `?lastEventId=` for a client that reconnects by hand (an event id is no credential).
   */
  @StreamAuth()
  @Get('stream')
  @ApiProduces('text/event-stream')
  stream(
    @CurrentUser() user: VerifiedUser,
    @Headers('last-event-id') header: string | undefined,
    @Query('lastEventId') query: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    // Written directly rather than through @Sse(): see writeSse for why (the fan-out's hot path).
    const events$ = this.dashboard.stream(user, header ?? (typeof query === 'string' ? query : undefined));
    // Ends when the user is disabled or the session signed out (accounts, issue 12).
    writeSse(req, res, this.revoker.endOnRevoke(events$, { id: user.id, sessionId: user.sessionId }), {
      maxPendingBytes: SSE_MAX_PENDING_CHARS,
      logger: this.logger,
    });
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
