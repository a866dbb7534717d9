import { Module } from '@nestjs/common';

import { AnnotationsModule } from '../annotations/annotations.module';
import { DashboardModule } from '../dashboard/dashboard.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { AlertEvaluationService } from './alert-evaluation.service';
import { AlertRulesController } from './alert-rules.controller';
import { AlertRulesService } from './alert-rules.service';

@Module({
  imports: [DashboardModule, NotificationsModule, AnnotationsModule],
  controllers: [AlertRulesController],
  providers: [AlertRulesService, AlertEvaluationService],
})
export class AlertsModule {}
