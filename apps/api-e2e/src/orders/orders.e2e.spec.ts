import type { DashboardMetrics, Order, OrderListResponse } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

const snapshot = async (api: ApiProcess, token: string) => {
  const res = await request<DashboardMetrics>(api, 'GET', '/api/dashboard/snapshot', { token });
  expect(res.status).toBe(200);
  return res.body;
};

describe('orders (simulator off)', () => {
  let api: ApiProcess;
  let alice: string;
  let bob: string;
  const post = (token: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    request<Order & Record<string, any>>(api, 'POST', '/api/orders', { token, body, headers });

  beforeAll(async () => {
    api = await ApiProcess.start({ env: { SIMULATOR: 'false', DASHBOARD_TICK_MS: '200' } });
    alice = (await login(api, 'alice')).accessToken;
    bob = (await login(api, 'bob')).accessToken;
  });
  afterAll(() => api.dispose());

  it('stores an order (201) and lists it first', async () => {
    const res = await post(alice, { amount: 19.99, currency: 'EUR' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      userId: expect.any(Number),
      amount: 19.99,
      currency: 'EUR',
      idempotencyKey: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    const list = await request<OrderListResponse>(api, 'GET', '/api/orders?limit=5', { token: bob });
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toEqual(res.body);
  });

  it('feeds ordersPerMinute, ordersToday and revenue in the configured currency', async () => {
    const before = await snapshot(api, alice);
    for (const amount of [10, 0.25, 20]) {
      expect((await post(alice, { amount, currency: 'USD' })).status).toBe(201);
    }
    const after = await snapshot(api, alice);
    expect(after.ordersPerMinute - before.ordersPerMinute).toBe(3);
    expect(after.ordersToday - before.ordersToday).toBe(3);
    expect(after.revenue - before.revenue).toBeCloseTo(30.25, 2);
    expect(after.currency).toBe('USD');
  });

  it('shows a new order on the live stream', async () => {
    const sse = await RawSse.open(`${api.baseUrl}/api/dashboard/stream`, {
      authorization: `Bearer ${alice}`,
    });
    try {
      const [first] = await sse.waitForEvents('metrics', 1);
      const base = (JSON.parse(first.data) as DashboardMetrics).ordersToday;
      await post(bob, { amount: 5, currency: 'GBP' });
      await sse.until(
        (s) => s.events.some((e) => (JSON.parse(e.data) as DashboardMetrics).ordersToday === base + 1),
        15_000,
        'a tick counting the new order',
      );
    } finally {
      sse.close();
    }
  });

  it('replays a repeated Idempotency-Key once, with the original body, and counts it once', async () => {
    const before = await snapshot(api, alice);
    const key = `order-${Date.now()}`;
    const first = await post(alice, { amount: 42, currency: 'USD' }, { 'idempotency-key': key });
    const again = await post(alice, { amount: 42, currency: 'USD' }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(first.body.idempotencyKey).toBe(key);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () =>
        post(alice, { amount: 42, currency: 'USD' }, { 'idempotency-key': key }),
      ),
    );
    expect(concurrent.every((r) => r.status === 201 && r.body.id === first.body.id)).toBe(true);
    const after = await snapshot(api, alice);
    expect(after.ordersToday - before.ordersToday).toBe(1);
    expect(after.revenue - before.revenue).toBeCloseTo(42, 2);

    // The same key from another user is another order.
    const bobs = await post(bob, { amount: 42, currency: 'USD' }, { 'idempotency-key': key });
    expect(bobs.status).toBe(201);
    expect(bobs.body.id).not.toBe(first.body.id);
  });

  it('refuses the same key with a different body as 409 with a clear message', async () => {
    const key = `conflict-${Date.now()}`;
    expect((await post(alice, { amount: 10, currency: 'USD' }, { 'idempotency-key': key })).status).toBe(201);
    for (const body of [
      { amount: 11, currency: 'USD' },
      { amount: 10, currency: 'EUR' },
    ]) {
      const res = await post(alice, body, { 'idempotency-key': key });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect(res.body.message).toMatch(/Idempotency-Key .* already used for a different order/);
    }
  });

  it.each([
    ['a negative amount', { amount: -5, currency: 'USD' }, /amount/],
    ['a zero amount', { amount: 0, currency: 'USD' }, /amount/],
    ['a non-numeric amount', { amount: '10', currency: 'USD' }, /amount/],
    ['a missing amount', { currency: 'USD' }, /amount/],
    ['three decimals', { amount: 1.234, currency: 'USD' }, /amount.*two decimals/],
    ['an unknown currency', { amount: 5, currency: 'XXX' }, /currency/],
    ['a missing currency', { amount: 5 }, /currency/],
    ['extra fields', { amount: 5, currency: 'USD', userId: 1 }, /userId/],
    ['an array', [{ amount: 5, currency: 'USD' }], /JSON object/],
  ])('rejects %s with 400 naming the problem', async (_, body, message) => {
    const res = await post(alice, body);
    expect(res.status).toBe(400);
    expect(res.body.statusCode).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('rejects malformed JSON, oversized bodies and bad idempotency keys with a 4xx JSON body', async () => {
    const bad = await request(api, 'POST', '/api/orders', { token: alice, rawBody: '{"amount":' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/JSON/);
    const big = await post(alice, { amount: 5, currency: 'USD', pad: 'x'.repeat(200_000) });
    expect(big.status).toBe(413);
    expect(big.body.message).toMatch(/limit/);
    for (const key of ['has space', 'x'.repeat(129), '']) {
      const res = await post(alice, { amount: 5, currency: 'USD' }, { 'idempotency-key': key });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/Idempotency-Key/);
    }
    for (const limit of ['0', '101', 'abc']) {
      const res = await request(api, 'GET', `/api/orders?limit=${limit}`, { token: alice });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/limit/);
    }
  });

  it('answers without a token with 401', async () => {
    expect((await post(undefined, { amount: 5, currency: 'USD' })).status).toBe(401);
    expect((await request(api, 'GET', '/api/orders')).status).toBe(401);
  });

  it("keeps today's figures and the idempotency keys across a restart", async () => {
    const key = `restart-${Date.now()}`;
    const original = await post(alice, { amount: 7.5, currency: 'CHF' }, { 'idempotency-key': key });
    const before = await snapshot(api, alice);
    await api.restart();
    alice = (await login(api, 'alice')).accessToken;
    const after = await snapshot(api, alice);
    expect(after.ordersToday).toBe(before.ordersToday);
    expect(after.revenue).toBeCloseTo(before.revenue, 2);
    // The last minute is reloaded too (it may only have shrunk while the process restarted).
    expect(after.ordersPerMinute).toBeGreaterThanOrEqual(1);
    expect(after.ordersPerMinute).toBeLessThanOrEqual(before.ordersPerMinute);
    const replay = await post(alice, { amount: 7.5, currency: 'CHF' }, { 'idempotency-key': key });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(original.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('demo order simulator', () => {
  let api: ApiProcess;
  afterAll(() => api?.dispose());

  it('places orders for demo users through the orders service when DEMO is on', async () => {
    api = await ApiProcess.start({ env: { DASHBOARD_TICK_MS: '200' } });
    const { accessToken } = await login(api, 'carol');
    const sse = await RawSse.open(`${api.baseUrl}/api/dashboard/stream`, {
      authorization: `Bearer ${accessToken}`,
    });
    try {
      await sse.until(
        (s) => s.events.some((e) => (JSON.parse(e.data) as DashboardMetrics).ordersToday >= 2),
        // The simulator's quietest rate is 0.2 orders/s (a Poisson process): 30 s missed a second
        // order about once in fifty runs; 60 s, about once in ten thousand.
        60_000,
        'simulated orders',
      );
    } finally {
      sse.close();
    }
    const list = await request<OrderListResponse>(api, 'GET', '/api/orders?limit=10', { token: accessToken });
    expect(list.body.items.length).toBeGreaterThanOrEqual(2);
    expect(list.body.items.every((o) => o.idempotencyKey === null && o.amount > 0)).toBe(true);
  }, 90_000);
});
