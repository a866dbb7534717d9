import { Module } from '@nestjs/common';

import { AnnotationsModule } from '../annotations/annotations.module';
import { DashboardModule } from '../dashboard/dashboard.module';
import { HistoryController } from './history.controller';
import { HistoryStore } from './history-store';
import { HistoryService } from './history.service';

@Module({
  imports: [DashboardModule, AnnotationsModule],
  controllers: [HistoryController],
  providers: [HistoryStore, HistoryService],
  exports: [HistoryService],
})
export class HistoryModule {}
