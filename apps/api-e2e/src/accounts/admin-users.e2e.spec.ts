import { ApiProcess, login, request } from '@realtime/test-support';

import { ChatClient } from '../chat/chat-client';
import { until } from '../reliability/support';
import { RawSse } from '@realtime/test-support';

describe('admin: users, roles, disabling, passwords', () => {
  let api: ApiProcess;
  let admin: string;
  beforeAll(async () => {
    api = await ApiProcess.start({ env: { SIMULATOR: 'false' } });
    admin = (await login(api, 'alice')).accessToken;
  });
  afterAll(() => {
    ChatClient.closeAll();
    return api?.dispose();
  });
  const as = (token: string) => ({
    get: (path: string) => request(api, 'GET', path, { token }),
    post: (path: string, body: unknown) => request(api, 'POST', path, { token, body }),
    patch: (path: string, body: unknown) => request(api, 'PATCH', path, { token, body }),
    put: (path: string, body: unknown) => request(api, 'PUT', path, { token, body }),
  });

  it('creates a user who can then sign in with the role given; lists users with role and state', async () => {
    const made = await as(admin).post('/api/users', {
      username: 'dora',
      password: 'dora-password-1',
      role: 'operator',
    });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({
      id: expect.any(Number),
      username: 'dora',
      role: 'operator',
      createdAt: expect.any(String),
      disabledAt: null,
    });
    const dora = await login(api, 'dora', 'dora-password-1');
    expect(dora.user).toEqual({ id: made.body.id, username: 'dora', role: 'operator' });
    const list = await as(admin).get('/api/users');
    expect(list.body.map((u: { username: string; role: string }) => `${u.username}:${u.role}`)).toEqual(
      expect.arrayContaining(['alice:admin', 'bob:operator', 'carol:viewer', 'dora:operator']),
    );
    expect(JSON.stringify(list.body)).not.toMatch(/password|hash/i);
  });

  it.each([
    [
      'a weak password (says the rule)',
      { username: 'weak', password: 'short', role: 'viewer' },
      400,
      /at least 10 characters/,
    ],
    [
      'the username as password',
      { username: 'samename1', password: 'samename1', role: 'viewer' },
      400,
      /not the username/,
    ],
    ['a duplicate username', { username: 'bob', password: 'long-enough-pw', role: 'viewer' }, 409, /taken/],
    ['an unknown role', { username: 'x1', password: 'long-enough-pw', role: 'root' }, 400, /role/],
    ['a bad username', { username: 'a b', password: 'long-enough-pw', role: 'viewer' }, 400, /username/],
  ])('refuses %s with a clear 4xx', async (_, body, status, message) => {
    const res = await as(admin).post('/api/users', body);
    expect(res.status).toBe(status);
    expect(res.body.message).toMatch(message);
  });

  it('changes a role, which takes effect on the next request with the same token', async () => {
    const made = await as(admin).post('/api/users', {
      username: 'erin',
      password: 'erin-password-1',
      role: 'viewer',
    });
    const erin = (await login(api, 'erin', 'erin-password-1')).accessToken;
    const order = { amount: 5, currency: 'USD' };
    expect((await as(erin).post('/api/orders', order)).status).toBe(403);
    expect((await as(admin).patch(`/api/users/${made.body.id}`, { role: 'operator' })).body.role).toBe(
      'operator',
    );
    expect((await as(erin).post('/api/orders', order)).status).toBe(201);
  });

  it('disabling a user refuses sign-in and tokens, and closes their streams and sockets within seconds', async () => {
    const made = await as(admin).post('/api/users', {
      username: 'fred',
      password: 'fred-password-1',
      role: 'viewer',
    });
    const fred = (await login(api, 'fred', 'fred-password-1')).accessToken;
    const stream = await RawSse.open(`${api.baseUrl}/api/dashboard/stream`, {
      authorization: `Bearer ${fred}`,
    });
    await stream.waitForEvents('metrics');
    const chat = await ChatClient.connect(api, fred);
    const off = await as(admin).patch(`/api/users/${made.body.id}`, { disabled: true });
    expect(off.status).toBe(200);
    expect(off.body.disabledAt).toEqual(expect.any(String));
    await until(() => stream.closed, 'the stream to close');
    expect(await chat.waitFor('error')).toMatchObject({ code: 'UNAUTHORIZED' });
    await chat.waitFor('disconnect');
    expect((await as(fred).get('/api/auth/me')).body.message).toMatch(/disabled/);
    const refused = await request(api, 'POST', '/api/auth/login', {
      body: { username: 'fred', password: 'fred-password-1' },
    });
    expect(refused.status).toBe(401);
    // Enabled again: signs in as before.
    await as(admin).patch(`/api/users/${made.body.id}`, { disabled: false });
    expect((await login(api, 'fred', 'fred-password-1')).user.username).toBe('fred');
  });

  it('resets a password: the old one stops working, the new one works', async () => {
    const made = await as(admin).post('/api/users', {
      username: 'gil',
      password: 'gil-password-1',
      role: 'viewer',
    });
    const weak = await as(admin).patch(`/api/users/${made.body.id}`, { password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toMatch(/at least 10 characters/);
    expect((await as(admin).patch(`/api/users/${made.body.id}`, { password: 'gil-password-2' })).status).toBe(
      200,
    );
    expect(
      (
        await request(api, 'POST', '/api/auth/login', {
          body: { username: 'gil', password: 'gil-password-1' },
        })
      ).status,
    ).toBe(401);
    expect((await login(api, 'gil', 'gil-password-2')).user.username).toBe('gil');
  });

  it('the last enabled admin cannot demote or disable themselves; with a second admin they can', async () => {
    const alice = (await as(admin).get('/api/auth/me')).body.id;
    for (const change of [{ role: 'viewer' }, { disabled: true }]) {
      const res = await as(admin).patch(`/api/users/${alice}`, change);
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/last enabled admin/);
    }
    expect((await as(admin).get('/api/auth/me')).body.role).toBe('admin');
    const made = await as(admin).post('/api/users', {
      username: 'hana',
      password: 'hana-password-1',
      role: 'admin',
    });
    expect((await as(admin).patch(`/api/users/${alice}`, { role: 'operator' })).status).toBe(200);
    const hana = (await login(api, 'hana', 'hana-password-1')).accessToken;
    expect((await as(hana).patch(`/api/users/${alice}`, { role: 'admin' })).status).toBe(200);
    expect((await as(admin).patch(`/api/users/${made.body.id}`, { disabled: true })).status).toBe(200);
  });

  it('every user changes their own password with the current one', async () => {
    await as(admin).post('/api/users', { username: 'ivy', password: 'ivy-password-1', role: 'viewer' });
    const ivy = (await login(api, 'ivy', 'ivy-password-1')).accessToken;
    const wrong = await as(ivy).put('/api/auth/password', {
      currentPassword: 'nope-nope-nope',
      newPassword: 'ivy-password-2',
    });
    expect(wrong.status).toBe(401);
    const weak = await as(ivy).put('/api/auth/password', {
      currentPassword: 'ivy-password-1',
      newPassword: 'ivy',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toMatch(/at least 10 characters/);
    expect(
      (
        await as(ivy).put('/api/auth/password', {
          currentPassword: 'ivy-password-1',
          newPassword: 'ivy-password-2',
        })
      ).status,
    ).toBe(204);
    expect((await login(api, 'ivy', 'ivy-password-2')).user.username).toBe('ivy');
  });
});
