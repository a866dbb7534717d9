import { Module } from '@nestjs/common';

import { MetricsController } from './metrics.controller';
import { MetricsPortService } from './metrics-port.service';

@Module({ controllers: [MetricsController], providers: [MetricsPortService] })
export class MetricsEndpointModule {}
