import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DEMO_USERS, UsersService } from '../users/users.service';
import { type Random, demoOrder, demoRatePerSecond, nextDelayMs } from './demo-traffic';
import { OrdersService } from './orders.service';

/**
 * Demo traffic (SIMULATOR, on with DEMO by default): places orders for random demo users
 * through OrdersService, the same path as `POST /api/orders`, at a varying, bursty rate.
 */
@Injectable()
export class OrderSimulator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OrderSimulator.name);
  private readonly random: Random = Math.random;
  private timer: NodeJS.Timeout | undefined;
  private userIds: number[] = [];
  private burstUntil = 0;
  private stopped = false;

  constructor(
    private readonly orders: OrdersService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap() {
    if (!this.config.simulator) return;
    for (const name of DEMO_USERS) {
      const row = await this.users.findByUsername(name);
      if (row) this.userIds.push(Number(row.id));
    }
    if (!this.userIds.length) {
      this.logger.warn('No demo users: the order simulator stays off');
      return;
    }
    this.logger.log(`Simulating demo orders for ${this.userIds.length} users (SIMULATOR=false turns it off)`);
    this.schedule();
  }

  onModuleDestroy() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule() {
    if (this.stopped) return;
    const now = Date.now();
    const delay = nextDelayMs(demoRatePerSecond(now, now < this.burstUntil), this.random);
    this.timer = setTimeout(() => void this.placeOne().finally(() => this.schedule()), delay);
  }

  private async placeOne() {
    // About one order in fifty starts a rush of 5–20 s.
    if (Date.now() >= this.burstUntil && this.random() < 0.02) {
      this.burstUntil = Date.now() + 5000 + this.random() * 15_000;
    }
    const userId = this.userIds[Math.floor(this.random() * this.userIds.length)];
    try {
      await this.orders.create(userId, demoOrder(this.random));
    } catch (err) {
      if (!this.stopped) this.logger.warn(`Simulated order failed: ${(err as Error).message}`);
    }
  }
}
