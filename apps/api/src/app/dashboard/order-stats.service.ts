import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { sql } from 'kysely';
import type { Subscription } from 'rxjs';

import type { Currency } from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';
import { ORDERS_CREATED_CHANNEL, type OrderCreatedMessage } from '../orders/order-events';
import { OrderStats, startOfUtcDay } from './order-stats';

/**
 * Keeps OrderStats current: today's totals and the last minute are read from the database
 * once at start (so a restart loses nothing), then every order announced on the bus is
 * added, which keeps the per-tick cost free of database work.
 */
@Injectable()
export class OrderStatsService extends OrderStats implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OrderStatsService.name);
  private subscription: Subscription | undefined;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly bus: EventBus,
  ) {
    super();
  }

  async onModuleInit() {
    const now = Date.now();
    const db = this.database.db;
    const today = await db
      .selectFrom('orders')
      .select([
        'currency',
        (eb) => eb.fn.sum<number>('amount_minor').as('minor'),
        (eb) => eb.fn.countAll<number>().as('count'),
      ])
      .where('created_at', '>=', startOfUtcDay(now))
      .groupBy('currency')
      .execute();
    this.loadToday(
      now,
      today.map((r) => ({
        currency: r.currency as Currency,
        minor: Number(r.minor),
        count: Number(r.count),
      })),
    );
    const second = sql<number>`created_at / 1000`;
    const recent = await db
      .selectFrom('orders')
      .select([second.as('second'), (eb) => eb.fn.countAll<number>().as('count')])
      .where('created_at', '>=', now - 60_000)
      .groupBy(second)
      .execute();
    for (const r of recent) this.loadRecent(Math.floor(Number(r.second)) * 1000, Number(r.count));

    this.subscription = this.bus.channel(ORDERS_CREATED_CHANNEL).subscribe((message) => {
      try {
        const order = JSON.parse(message) as OrderCreatedMessage;
        this.record(order.createdAt, order.amountMinor, order.currency);
      } catch {
        this.logger.warn(`Ignored a malformed ${ORDERS_CREATED_CHANNEL} message`);
      }
    });
  }

  onModuleDestroy() {
    this.subscription?.unsubscribe();
  }
}
