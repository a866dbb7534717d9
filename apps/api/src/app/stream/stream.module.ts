import { Module } from '@nestjs/common';

import { DashboardModule } from '../dashboard/dashboard.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OperationsModule } from '../operations/operations.module';
import { StreamController } from './stream.controller';

/** `GET /api/stream`: the channels of the other features on one stream. */
@Module({
  imports: [DashboardModule, NotificationsModule, OperationsModule],
  controllers: [StreamController],
})
export class StreamModule {}
