import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { type Socket, connect } from 'node:net';

import { ORDER_MAX_AMOUNT, type LoginResponse } from '@realtime/contracts';
import { ApiProcess, TEST_MONITORING_TOKEN, login, request } from '@realtime/test-support';

import { Cluster } from '../cluster/cluster-support';
import { until } from './support';

/** A connection from `localAddress` that sends the start of a request and then nothing more. */
async function halfSentRequest(port: number, localAddress: string) {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  return { socket, closed, received: () => received };
}

describe('edges: slow and idle connections from one address', () => {
  let api: ApiProcess;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        // No loopback address is a trusted proxy here, so each one counts as a client.
        TRUST_PROXY: '10.255.255.1',
        MAX_CONNECTIONS_PER_ADDRESS: '20',
        HEADERS_TIMEOUT_MS: '3000',
      },
    });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await api?.dispose();
  });

  it('caps one address at MAX_CONNECTIONS_PER_ADDRESS, serves another meanwhile, cuts the silent ones', async () => {
    const attack = await Promise.all(
      Array.from({ length: 30 }, () => halfSentRequest(api.port, '127.0.0.2')),
    );
    sockets.push(...attack.map((a) => a.socket));
    // The ten beyond the cap are answered at once and closed.
    await until(
      () => attack.filter((a) => a.received().startsWith('HTTP/1.1 429')).length === 10,
      '10 refusals',
    );
    const refused = attack.find((a) => a.received().startsWith('HTTP/1.1 429'))!;
    await refused.closed;
    expect(JSON.parse(refused.received().split('\r\n\r\n')[1])).toMatchObject({
      statusCode: 429,
      message: expect.stringMatching(/at most 20/),
    });

    // Another address is served while the twenty are held open.
    const health = await request(api, 'GET', '/api/health');
    expect(health.status).toBe(200);
    expect((await login(api, 'alice')).accessToken).toEqual(expect.any(String));

    // The held ones never finish their headers: each gets a 408 and is closed.
    const held = attack.filter((a) => !a.received().startsWith('HTTP/1.1 429'));
    expect(held).toHaveLength(20);
    await Promise.all(held.map((a) => a.closed));
    // Each one's status line (what it got, when it is not the 408).
    expect(held.map((a) => a.received().split('\r\n')[0])).toEqual(
      held.map(() => 'HTTP/1.1 408 Request Timeout'),
    );

    // Their places are free again: the same address is served.
    const again = await halfSentRequest(api.port, '127.0.0.2');
    sockets.push(again.socket);
    again.socket.write('1\r\nConnection: close\r\n\r\n');
    await again.closed;
    expect(again.received()).toMatch(/^HTTP\/1.1 200/);
  });
});

describe('edges: health, logs, tokens, limits and amounts', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;
  let carol: LoginResponse;

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        LOG_LEVEL: 'info',
        REFRESH_RATE_PER_S: '1',
        REFRESH_RATE_BURST: '3',
        ORDER_RATE_PER_S: '1',
        ORDER_RATE_BURST: '3',
      },
    });
    [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((u) => login(api, u)));
  });
  afterAll(() => api?.dispose());

  it('gives the public a bare health status and monitoring the details', async () => {
    const bare = await request(api, 'GET', '/api/health');
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual({ status: 'ok' });
    // A signed-in non-admin (carol is a viewer), or a wrong monitoring token, sees no more than the public.
    expect((await request(api, 'GET', '/api/health', { token: carol.accessToken })).body).toEqual({
      status: 'ok',
    });
    expect((await request(api, 'GET', '/api/health', { token: 'x'.repeat(41) })).body).toEqual({
      status: 'ok',
    });
    for (const token of [TEST_MONITORING_TOKEN, alice.accessToken]) {
      // Monitoring's token, or an admin (alice) signed in.
      const full = await request(api, 'GET', '/api/health', { token });
      expect(full.body.details.database.status).toBe('up');
      expect(full.body.details.connections.instance).toEqual(expect.any(String));
    }
  });

  it('keeps a token put in a query string out of the log', async () => {
    const secret = `${randomUUID()}-in-the-url`;
    const res = await request(api, 'GET', `/api/dashboard/snapshot?access_token=${secret}&token=${secret}`, {
      token: alice.accessToken,
    });
    expect(res.status).toBe(200);
    await until(() => api.logs.includes('/api/dashboard/snapshot?'), 'the request in the log');
    expect(api.logs).toContain('/api/dashboard/snapshot?access_token=[REDACTED]&token=[REDACTED]');
    expect(api.logs).not.toContain(secret);
  });

  it.each([
    ['POST /api/dashboard/refresh', '/api/dashboard/refresh', undefined, 200, /dashboard refreshes/],
    ['POST /api/orders', '/api/orders', { amount: 10, currency: 'USD' }, 201, /orders/],
  ])(
    '%s: past the burst a 429 JSON with Retry-After; another user is not affected',
    async (_, path, body, ok, what) => {
      const call = (token: string) => request(api, 'POST', path, { token, body });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(alice.accessToken)).status);
      expect(statuses).toEqual([ok, ok, ok]);
      const limited = await call(alice.accessToken);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({
        statusCode: 429,
        message: expect.stringMatching(what),
        retryAfterMs: expect.any(Number),
      });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await call(bob.accessToken)).status).toBe(ok);
    },
  );

  it(`bounds an order's amount at ${ORDER_MAX_AMOUNT} (bob, an operator, within his burst)`, async () => {
    const order = (amount: number) =>
      request(api, 'POST', '/api/orders', { token: bob.accessToken, body: { amount, currency: 'USD' } });
    const over = await order(ORDER_MAX_AMOUNT + 0.01);
    expect(over.status).toBe(400);
    expect(over.body.message).toMatch(/^amount: /);
    expect((await order(ORDER_MAX_AMOUNT)).status).toBe(201);
  });
});

describe('edges: rate limits are cluster-wide (Redis)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start({ env: { ORDER_RATE_PER_S: '1', ORDER_RATE_BURST: '2' } });
  });
  afterAll(() => cluster?.dispose());

  it('a burst spent on one instance is spent on the other', async () => {
    const { accessToken } = await login(cluster.a, 'bob');
    const order = (api: ApiProcess) =>
      request(api, 'POST', '/api/orders', { token: accessToken, body: { amount: 1, currency: 'EUR' } });
    expect((await order(cluster.a)).status).toBe(201);
    expect((await order(cluster.a)).status).toBe(201);
    expect((await order(cluster.b)).status).toBe(429);
  });
});
