import { Module } from '@nestjs/common';

import { OrderSimulator } from './order-simulator.service';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  controllers: [OrdersController],
  providers: [OrdersService, OrderSimulator],
  exports: [OrdersService],
})
export class OrdersModule {}
