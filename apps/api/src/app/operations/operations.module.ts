import { Module } from '@nestjs/common';

import { DashboardModule } from '../dashboard/dashboard.module';
import { InstanceStatusService } from './instance-status.service';
import { OperationsController } from './operations.controller';
import { OpsChannel } from './ops-channel';

@Module({
  imports: [DashboardModule],
  controllers: [OperationsController],
  providers: [InstanceStatusService, OpsChannel],
  exports: [InstanceStatusService, OpsChannel],
})
export class OperationsModule {}
