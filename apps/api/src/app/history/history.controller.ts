import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';

import type { DashboardHistoryRangeResponse, DashboardHistoryResponse } from '@realtime/contracts';
import { DashboardHistoryRangeQuerySchema, describeIssues } from '@realtime/contracts/schemas';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DashboardService } from '../dashboard/dashboard.service';
import { HistoryService } from './history.service';

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('dashboard')
export class HistoryController {
  constructor(
    private readonly history: HistoryService,
    private readonly dashboard: DashboardService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * With `from`, `to` or `step`: the stored per-minute series of any range, downsampled.
   * Otherwise (`?minutes=N` or nothing): the kept ticks of the last N minutes, as before.
   */
  @Get('history')
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601 or epoch ms (default: to − 15 min)' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601 or epoch ms (default: now)' })
  @ApiQuery({
    name: 'step',
    required: false,
    description: 'ms or ISO 8601 duration, a whole number of minutes',
  })
  @ApiQuery({ name: 'minutes', required: false, description: 'the kept ticks of the last N minutes' })
  async get(
    @Query() query: Record<string, unknown>,
  ): Promise<DashboardHistoryRangeResponse | DashboardHistoryResponse> {
    const ranged = ['from', 'to', 'step'].some((k) => query[k] !== undefined);
    if (ranged) {
      if (query['minutes'] !== undefined) {
        throw new BadRequestException('minutes: cannot be combined with from, to or step');
      }
      const parsed = DashboardHistoryRangeQuerySchema.safeParse({
        from: query['from'],
        to: query['to'],
        step: query['step'],
      });
      if (!parsed.success) throw new BadRequestException(describeIssues(parsed.error));
      return this.history.range(parsed.data);
    }
    const max = this.config.dashboardRetentionMin;
    const minutes = query['minutes'];
    if (minutes === undefined) return this.dashboard.history(max);
    const n = typeof minutes === 'string' && /^\d{1,6}$/.test(minutes) ? Number(minutes) : NaN;
    if (!(n >= 1 && n <= max))
      throw new BadRequestException(`minutes: must be a whole number from 1 to ${max}`);
    return this.dashboard.history(n);
  }
}
