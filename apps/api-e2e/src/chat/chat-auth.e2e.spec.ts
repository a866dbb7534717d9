import type { LoginResponse } from '@realtime/contracts';
import { ApiProcess, login, request } from '@realtime/test-support';

import { ChatClient, forgeToken } from './chat-client';

const now = () => Math.floor(Date.now() / 1000);

describe('chat authentication', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;

  beforeAll(async () => {
    api = await ApiProcess.start({ env: { SIMULATOR: 'false' } });
    [alice, bob] = await Promise.all([login(api, 'alice'), login(api, 'bob')]);
  });
  afterEach(() => ChatClient.closeAll());
  afterAll(() => api.dispose());

  it.each([
    ['no token', () => undefined, 'Missing access token'],
    ['garbage', () => 'not-a-jwt', 'Invalid access token'],
    [
      'a forged signature',
      () => forgeToken({ sub: String(alice.user.id), username: 'alice', exp: now() + 600 }, 'x'.repeat(40)),
      'Invalid access token',
    ],
    [
      'alg: none',
      () => forgeToken({ sub: String(alice.user.id), username: 'alice', exp: now() + 600 }, null, 'none'),
      'Invalid access token',
    ],
    [
      'an expired token',
      () => forgeToken({ sub: String(alice.user.id), username: 'alice', exp: now() - 10 }),
      'Access token expired',
    ],
    [
      'a user that does not exist',
      () => forgeToken({ sub: '999999', username: 'ghost', exp: now() + 600 }),
      'User no longer exists',
    ],
  ])('refuses %s with a connect_error that says why', async (_, token, reason) => {
    const err = await ChatClient.refused(api, { token: token() });
    expect(err.message).toBe(reason);
    expect(err.data).toEqual({ code: 'UNAUTHORIZED' });
  });

  it('accepts the token in auth or as an Authorization: Bearer header', async () => {
    const viaAuth = await ChatClient.connect(api, alice.accessToken);
    const viaHeader = ChatClient.create(api, { headers: { authorization: `Bearer ${bob.accessToken}` } });
    await viaHeader.waitFor('connect');
    for (const client of [viaAuth, viaHeader]) {
      expect(await client.request('join', { roomId: 'general' })).toMatchObject({ ok: true });
    }
    const presence = await viaHeader.waitFor('presence', (p) => p.members.length === 2);
    expect(presence.members.map((m: { username: string }) => m.username)).toEqual(['alice', 'bob']);
  });

  it('answers the chat HTTP endpoints with 401 without a token', async () => {
    for (const path of ['/api/chat/rooms', '/api/chat/rooms/general/messages']) {
      const res = await request(api, 'GET', path);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, message: 'Missing access token' });
    }
  });

  it('applies the configured CORS origins to socket.io and does not serve the client script', async () => {
    const handshake = `${api.baseUrl}/socket.io/?EIO=4&transport=polling`;
    const allowed = await fetch(handshake, { headers: { origin: 'http://localhost:4200' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:4200');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    await allowed.text();
    const other = await fetch(handshake, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    await other.text();
    expect((await fetch(`${api.baseUrl}/socket.io/socket.io.js`)).status).not.toBe(200);
  });

  it('closes a socket when its token expires, unless a fresh token came in-band first', async () => {
    const shortLived = forgeToken({ sub: String(alice.user.id), username: 'alice', exp: now() + 3 });
    const refreshed = await ChatClient.connect(api, shortLived);
    const stale = await ChatClient.connect(api, shortLived);

    const ack = await refreshed.request('auth', { token: alice.accessToken });
    expect(ack).toEqual({ ok: true, expiresAt: expect.any(Number) });
    expect(ack.expiresAt).toBeGreaterThan(now() + 60);

    expect(await stale.waitFor('error')).toEqual({ code: 'UNAUTHORIZED', message: 'token expired' });
    expect(await stale.waitFor('disconnect')).toBe('io server disconnect');

    // Both timers were due at the same moment; the refreshed socket is still in business.
    expect(refreshed.socket.connected).toBe(true);
    expect(await refreshed.request('join', { roomId: 'general' })).toMatchObject({ ok: true });
    expect(refreshed.all('error')).toEqual([]);
  });

  it('refuses an in-band token that is bad or belongs to someone else, and stays up', async () => {
    const client = await ChatClient.connect(api, alice.accessToken);
    expect(await client.request('auth', { token: 'garbage' })).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'Invalid access token' },
    });
    expect(await client.request('auth', { token: bob.accessToken })).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'The token belongs to another user' },
    });
    expect(await client.request('auth', 'garbage')).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(client.all('error').map((e) => e.code)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'BAD_REQUEST']);
    expect(await client.request('join', { roomId: 'general' })).toMatchObject({ ok: true });
    expect(client.socket.connected).toBe(true);
  });
});
