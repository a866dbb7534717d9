import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';

import { Public } from '../../common/public.decorator';
import { Metrics } from '../../infra/metrics/metrics';
import { MetricsAccessGuard } from './metrics-access.guard';

@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  /** Prometheus text format; the scrape token or an admin (see MetricsAccessGuard). */
  @Public()
  @UseGuards(MetricsAccessGuard)
  @Get()
  @ApiProduces('text/plain')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
