import { InProcessEventBus } from '../../infra/event-bus/in-process-event-bus';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../infra/database/database.provider';
import { ORDERS_CREATED_CHANNEL } from './order-events';
import { IdempotencyConflictError, OrdersService, toMinor } from './orders.service';

describe('OrdersService', () => {
  let database: DatabaseHandle;
  let bus: InProcessEventBus;
  let orders: OrdersService;
  let announced: string[];
  let userId: number;

  beforeEach(async () => {
    database = openDatabase('sqlite::memory:');
    await migrateToLatest(database);
    const user = await database.db
      .insertInto('users')
      .values({ username: 'alice', password_hash: 'x', created_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    userId = Number(user.id);
    bus = new InProcessEventBus();
    announced = [];
    bus.channel(ORDERS_CREATED_CHANNEL).subscribe((m) => announced.push(m));
    orders = new OrdersService(database, bus);
  });
  afterEach(() => database.db.destroy());

  it('stores an order in exact minor units and announces it once', async () => {
    const { order, replayed } = await orders.create(userId, { amount: 0.1 + 0.2, currency: 'EUR' });
    expect(replayed).toBe(false);
    expect(order).toMatchObject({ userId, amount: 0.3, currency: 'EUR', idempotencyKey: null });
    const row = await database.db.selectFrom('orders').selectAll().executeTakeFirstOrThrow();
    expect(Number(row.amount_minor)).toBe(30);
    expect(announced.map((m) => JSON.parse(m))).toEqual([
      { id: order.id, amountMinor: 30, currency: 'EUR', createdAt: Date.parse(order.createdAt) },
    ]);
  });

  it('replays the original order for a repeated key and counts it once', async () => {
    const first = await orders.create(userId, { amount: 12.5, currency: 'USD' }, 'key-1');
    const again = await orders.create(userId, { amount: 12.5, currency: 'USD' }, 'key-1');
    expect(again).toEqual({ order: first.order, replayed: true });
    expect(announced).toHaveLength(1);
    const count = await database.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(Number(count?.n)).toBe(1);
  });

  it('answers copies racing with the same key as one order', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => orders.create(userId, { amount: 3, currency: 'GBP' }, 'race')),
    );
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(announced).toHaveLength(1);
  });

  it('refuses the same key with another body', async () => {
    await orders.create(userId, { amount: 10, currency: 'USD' }, 'key-2');
    await expect(orders.create(userId, { amount: 11, currency: 'USD' }, 'key-2')).rejects.toThrow(
      IdempotencyConflictError,
    );
    await expect(orders.create(userId, { amount: 10, currency: 'EUR' }, 'key-2')).rejects.toThrow(
      /already used for a different order \(10\.00 USD/,
    );
  });

  it('keeps keys per user', async () => {
    const bob = await database.db
      .insertInto('users')
      .values({ username: 'bob', password_hash: 'x', created_at: Date.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const a = await orders.create(userId, { amount: 1, currency: 'USD' }, 'shared');
    const b = await orders.create(Number(bob.id), { amount: 2, currency: 'USD' }, 'shared');
    expect(b.replayed).toBe(false);
    expect(b.order.id).not.toBe(a.order.id);
  });

  it('lists recent orders newest first', async () => {
    for (const amount of [1, 2, 3]) await orders.create(userId, { amount, currency: 'USD' });
    expect((await orders.recent(2)).map((o) => o.amount)).toEqual([3, 2]);
  });

  it('converts major to minor units without float drift', () => {
    expect(toMinor(19.99)).toBe(1999);
    expect(toMinor(1_000_000_000)).toBe(100_000_000_000);
  });
});
