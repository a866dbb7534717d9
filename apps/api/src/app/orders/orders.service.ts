import { Inject, Injectable, Logger } from '@nestjs/common';

import type { CreateOrderRequest, Currency, Order } from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, isUniqueViolation } from '../../infra/database/database.provider';
import type { OrdersTable } from '../../infra/database/schema';
import { EventBus } from '../../infra/event-bus/event-bus';
import { ORDERS_CREATED_CHANNEL, type OrderCreatedMessage } from './order-events';

/** The key was used before by the same user for an order with another amount or currency. */
export class IdempotencyConflictError extends Error {
  constructor(
    readonly key: string,
    readonly original: Order,
  ) {
    super(
      `Idempotency-Key "${key}" was already used for a different order ` +
        `(${original.amount.toFixed(2)} ${original.currency}, id ${original.id}); use a new key for a new order`,
    );
  }
}

export interface CreatedOrder {
  order: Order;
  /** True when `order` is the one stored earlier under the same idempotency key. */
  replayed: boolean;
}

type OrderRow = Omit<OrdersTable, 'id'> & { id: number };

/** Major units (two decimals at most, as validated) to exact minor units. */
export function toMinor(amount: number): number {
  return Math.round(amount * 100);
}

function toOrder(row: OrderRow): Order {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    amount: Number(row.amount_minor) / 100,
    currency: row.currency as Currency,
    idempotencyKey: row.idempotency_key,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

/**
 * Stores orders and announces each on the event bus, where the dashboard counters take them.
 * An idempotency key is kept with its order for good (so well beyond the promised 24 h): the
 * unique (user_id, idempotency_key) constraint makes a retry count once even when two copies
 * race each other.
 */
@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly bus: EventBus,
  ) {}

  private get db() {
    return this.database.db;
  }

  async create(userId: number, request: CreateOrderRequest, idempotencyKey?: string): Promise<CreatedOrder> {
    const amountMinor = toMinor(request.amount);
    if (idempotencyKey) {
      const existing = await this.findByKey(userId, idempotencyKey);
      if (existing) return this.replay(existing, idempotencyKey, amountMinor, request.currency);
    }
    let row: OrderRow;
    try {
      row = (await this.db
        .insertInto('orders')
        .values({
          user_id: userId,
          amount_minor: amountMinor,
          currency: request.currency,
          idempotency_key: idempotencyKey ?? null,
          created_at: Date.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow()) as OrderRow;
    } catch (err) {
      // A concurrent request with the same key won the insert: answer as its replay.
      if (idempotencyKey && isUniqueViolation(err)) {
        const existing = await this.findByKey(userId, idempotencyKey);
        if (existing) return this.replay(existing, idempotencyKey, amountMinor, request.currency);
      }
      throw err;
    }
    const order = toOrder(row);
    await this.announce(row);
    return { order, replayed: false };
  }

  /** The most recent orders of every user, newest first. */
  async recent(limit: number): Promise<Order[]> {
    const rows = await this.db
      .selectFrom('orders')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => toOrder(r as OrderRow));
  }

  private async findByKey(userId: number, key: string): Promise<OrderRow | undefined> {
    return (await this.db
      .selectFrom('orders')
      .selectAll()
      .where('user_id', '=', userId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst()) as OrderRow | undefined;
  }

  private replay(row: OrderRow, key: string, amountMinor: number, currency: Currency): CreatedOrder {
    const order = toOrder(row);
    if (Number(row.amount_minor) !== amountMinor || row.currency !== currency) {
      throw new IdempotencyConflictError(key, order);
    }
    return { order, replayed: true };
  }

  private async announce(row: OrderRow): Promise<void> {
    const message: OrderCreatedMessage = {
      id: Number(row.id),
      amountMinor: Number(row.amount_minor),
      currency: row.currency as Currency,
      createdAt: Number(row.created_at),
    };
    try {
      await this.bus.publish(ORDERS_CREATED_CHANNEL, JSON.stringify(message));
    } catch (err) {
      // The order is stored; only the live counters of other instances miss it until they restart.
      this.logger.warn(`Could not announce order ${row.id}: ${(err as Error).message}`);
    }
  }
}
