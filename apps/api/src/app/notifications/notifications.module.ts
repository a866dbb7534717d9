import { Module } from '@nestjs/common';

import { NotificationStreamService } from './notification-stream.service';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

@Module({
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationStreamService],
  // The stream source too, for a stream that carries notifications with other channels.
  exports: [NotificationsService, NotificationStreamService],
})
export class NotificationsModule {}
