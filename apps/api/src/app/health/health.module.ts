import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

import { DashboardModule } from '../dashboard/dashboard.module';
import { HealthController } from './health.controller';

@Module({ imports: [TerminusModule, DashboardModule], controllers: [HealthController] })
export class HealthModule {}
