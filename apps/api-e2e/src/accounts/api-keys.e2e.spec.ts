import { ApiProcess, login, request } from '@realtime/test-support';

import { until } from '../reliability/support';

describe('API keys: scopes, revocation, expiry', () => {
  let api: ApiProcess;
  let admin: string;
  beforeAll(async () => {
    api = await ApiProcess.start({ env: { SIMULATOR: 'false' } });
    admin = (await login(api, 'alice')).accessToken;
  });
  afterAll(() => api?.dispose());

  const create = (body: unknown) => request(api, 'POST', '/api/api-keys', { token: admin, body });

  it('is shown once, stored hashed, works as Bearer and as X-API-Key within its scopes only', async () => {
    const made = await create({ name: 'order feed', scopes: ['orders:write', 'notifications:write'] });
    expect(made.status).toBe(201);
    const key: string = made.body.key;
    expect(key).toMatch(/^rtk_/);
    const list = await request(api, 'GET', '/api/api-keys', { token: admin });
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(list.body[0]).toMatchObject({
      name: 'order feed',
      prefix: key.slice(0, 10),
      lastUsedAt: null,
      revokedAt: null,
    });

    const order = { amount: 12, currency: 'EUR' };
    expect((await request(api, 'POST', '/api/orders', { token: key, body: order })).status).toBe(201);
    expect(
      (await request(api, 'POST', '/api/orders', { headers: { 'x-api-key': key }, body: order })).status,
    ).toBe(201);
    const bob = (await login(api, 'bob')).user;
    const note = await request(api, 'POST', '/api/notifications', {
      headers: { 'x-api-key': key },
      body: { userId: bob.id, title: 'from the feed', message: '' },
    });
    expect(note.status).toBe(201);
    // The sender is the key's owner.
    expect(note.body.sender).toEqual({ id: expect.any(Number), username: 'alice' });

    // Out of scope, admin routes, streams, sessions, the socket: refused.
    for (const [method, path, body] of [
      ['POST', '/api/notifications/broadcast', { title: 't', message: '' }],
      ['GET', '/api/users', undefined],
      ['POST', '/api/api-keys', { name: 'more', scopes: ['orders:write'] }],
      ['GET', '/api/auth/sessions', undefined],
      ['POST', '/api/auth/logout-all', undefined],
      ['GET', '/api/dashboard/snapshot', undefined],
      ['POST', '/api/dashboard/refresh', undefined],
    ] as const) {
      const res = await request(api, method, path, { token: key, body });
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.body.message).toMatch(/API key/);
    }
    const metrics = await request(api, 'GET', '/api/metrics', { token: key });
    expect(metrics.status).toBe(403);
    expect(metrics.body.requiredScope).toBe('metrics:read');
    // A key is no browser session: refresh refuses it (no cookie), login needs a password.
    expect((await request(api, 'POST', '/api/auth/refresh', { token: key })).status).toBe(401);

    const used = await request(api, 'GET', '/api/api-keys', { token: admin });
    expect(used.body.find((k: { id: number }) => k.id === made.body.id).lastUsedAt).toEqual(
      expect.any(String),
    );
  });

  it('metrics:read reads the metrics', async () => {
    const made = await create({ name: 'scraper', scopes: ['metrics:read'] });
    const res = await fetch(`${api.baseUrl}/api/metrics`, {
      headers: { authorization: `Bearer ${made.body.key}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# HELP/m);
  });

  it('a revoked key is refused at once with a 401 that says so', async () => {
    const made = await create({ name: 'to revoke', scopes: ['orders:write'] });
    const order = { amount: 1, currency: 'USD' };
    expect((await request(api, 'POST', '/api/orders', { token: made.body.key, body: order })).status).toBe(
      201,
    );
    const revoked = await request(api, 'DELETE', `/api/api-keys/${made.body.id}`, { token: admin });
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const res = await request(api, 'POST', '/api/orders', { token: made.body.key, body: order });
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/revoked/);
  });

  it('a key past its expiry is refused', async () => {
    const made = await create({
      name: 'short',
      scopes: ['orders:write'],
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    expect(made.status).toBe(201);
    const order = { amount: 1, currency: 'USD' };
    const res = await until(async () => {
      const r = await request(api, 'POST', '/api/orders', { token: made.body.key, body: order });
      return r.status === 401 ? r : undefined;
    }, 'the key to expire');
    expect(res.body.message).toMatch(/expired/);
  });

  it.each([
    ['an unknown scope', { name: 'x', scopes: ['everything'] }],
    ['no scope', { name: 'x', scopes: [] }],
    ['a past expiry', { name: 'x', scopes: ['orders:write'], expiresAt: '2000-01-01T00:00:00Z' }],
    ['no name', { scopes: ['orders:write'] }],
  ])('refuses %s with a 400', async (_, body) => {
    expect((await create(body)).status).toBe(400);
  });

  it('an invalid key is a 401, and only admins manage keys', async () => {
    expect(
      (await request(api, 'POST', '/api/orders', { token: 'rtk_nope', body: { amount: 1, currency: 'USD' } }))
        .status,
    ).toBe(401);
    const bob = (await login(api, 'bob')).accessToken;
    const res = await request(api, 'POST', '/api/api-keys', {
      token: bob,
      body: { name: 'x', scopes: ['orders:write'] },
    });
    expect(res.status).toBe(403);
    expect(res.body.requiredRole).toBe('admin');
  });
});
