import { Module } from '@nestjs/common';

import { DashboardModule } from '../dashboard/dashboard.module';
import { HistoryController } from './history.controller';
import { HistoryStore } from './history-store';
import { HistoryService } from './history.service';

@Module({
  imports: [DashboardModule],
  controllers: [HistoryController],
  providers: [HistoryStore, HistoryService],
  exports: [HistoryService],
})
export class HistoryModule {}
