import { Module } from '@nestjs/common';

import { DashboardModule } from '../dashboard/dashboard.module';
import { InstanceStatusService } from './instance-status.service';
import { OperationsController } from './operations.controller';

@Module({
  imports: [DashboardModule],
  controllers: [OperationsController],
  providers: [InstanceStatusService],
  exports: [InstanceStatusService],
})
export class OperationsModule {}
