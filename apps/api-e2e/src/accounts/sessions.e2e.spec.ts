import { ApiProcess, RawSse, request } from '@realtime/test-support';

import { ChatClient } from '../chat/chat-client';
import { until } from '../reliability/support';
import { BrowserSession } from './session-client';

/** Opens both streams and a chat socket with the session's access token. */
async function openEverything(api: ApiProcess, s: BrowserSession) {
  const auth = { authorization: `Bearer ${s.accessToken}` };
  const dashboard = await RawSse.open(`${api.baseUrl}/api/dashboard/stream`, auth);
  const notifications = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, auth);
  await dashboard.waitForEvents('metrics');
  await notifications.waitForEvents('connected');
  const chat = await ChatClient.connect(api, s.accessToken);
  return {
    dashboard,
    notifications,
    chat,
    close: () => [dashboard, notifications, chat].forEach((c) => c.close()),
  };
}

async function closedEverything(o: Awaited<ReturnType<typeof openEverything>>) {
  await until(() => o.dashboard.closed, 'the dashboard stream to close');
  await until(() => o.notifications.closed, 'the notification stream to close');
  await o.chat.waitFor('disconnect');
}

describe('sessions: rotating refresh token, reuse detection, logout, sign out everywhere', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await ApiProcess.start({ env: { SIMULATOR: 'false', DASHBOARD_TICK_MS: '1000' } });
  });
  afterAll(() => {
    ChatClient.closeAll();
    return api?.dispose();
  });

  it('login sets the refresh cookie: HttpOnly, SameSite=Strict, scoped to /api/auth, SESSION_TTL_DAYS long', async () => {
    const s = new BrowserSession(api);
    const login = await s.login('bob');
    expect(login.user).toEqual({ id: expect.any(Number), username: 'bob', role: 'operator' });
    const line = s.jar.lastSetCookie.find((l) => l.startsWith('rt_refresh='))!;
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Strict/i);
    expect(line).toMatch(/Path=\/api\/auth(;|$)/);
    expect(line).toMatch(/Max-Age=604800/); // 7 days, the default
    expect(line).not.toMatch(/Secure/i); // not in production
    const sessions = await s.call('GET', '/api/auth/sessions');
    expect(sessions.body).toEqual([
      expect.objectContaining({ device: 'e2e bob', current: true, createdAt: expect.any(String) }),
    ]);
  });

  it('refresh rotates the cookie and gives a working access token; a token rotated twice ago revokes the session', async () => {
    const s = new BrowserSession(api);
    await s.login('bob');
    const first = s.jar.get('rt_refresh')!;
    const r1 = await s.refresh();
    expect(r1.status).toBe(200);
    expect(r1.body.user.username).toBe('bob');
    const second = s.jar.get('rt_refresh')!;
    expect(second).not.toBe(first);
    expect((await request(api, 'GET', '/api/auth/me', { token: r1.body.accessToken })).status).toBe(200);
    // The stream cookie follows the new access token.
    expect(s.jar.get('rt_stream')).toBe(r1.body.accessToken);
    expect((await s.refresh()).status).toBe(200);
    const live = await openEverything(api, s);

    // An attacker replays the first token (two rotations old): the whole session goes.
    const thief = new BrowserSession(api);
    thief.jar.set('rt_refresh', first);
    const stolen = await thief.refresh();
    expect(stolen.status).toBe(401);
    expect(stolen.body.message).toMatch(/revoked/);
    // The rightful owner is out too, and what was open with the session closes.
    expect((await s.refresh()).status).toBe(401);
    expect((await request(api, 'GET', '/api/auth/me', { token: s.accessToken })).status).toBe(401);
    await closedEverything(live);
  });

  it('two renewals racing with the same token both succeed (tabs), without revoking', async () => {
    const s = new BrowserSession(api);
    await s.login('carol');
    const token = s.jar.get('rt_refresh')!;
    const a = new BrowserSession(api);
    const b = new BrowserSession(api);
    a.jar.set('rt_refresh', token);
    b.jar.set('rt_refresh', token);
    const [ra, rb] = [await a.refresh(), await b.refresh()];
    expect([ra.status, rb.status]).toEqual([200, 200]);
    // Only the first answer rotated the cookie; the second leaves the browser's cookie as it is.
    expect(a.jar.get('rt_refresh')).not.toBe(token);
    expect(b.jar.lastSetCookie.some((l) => l.startsWith('rt_refresh='))).toBe(false);
    expect((await a.refresh()).status).toBe(200);
  });

  it('logout revokes the session: its access token is refused and its streams and socket close', async () => {
    const s = new BrowserSession(api);
    await s.login('alice');
    const other = new BrowserSession(api);
    await other.login('alice');
    const live = await openEverything(api, s);
    const kept = await openEverything(api, other);
    const out = await s.call('POST', '/api/auth/logout', { bearer: false });
    expect(out.status).toBe(204);
    expect(s.jar.get('rt_refresh')).toBeUndefined();
    await closedEverything(live);
    const refused = await request(api, 'GET', '/api/auth/me', { token: s.accessToken });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/signed out/);
    const sse = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, {
      authorization: `Bearer ${s.accessToken}`,
    });
    expect(sse.status).toBe(401);
    sse.close();
    expect((await ChatClient.refused(api, { token: s.accessToken })).message).toMatch(/signed out/);
    // The other session of the same user goes on.
    expect((await request(api, 'GET', '/api/auth/me', { token: other.accessToken })).status).toBe(200);
    expect(kept.dashboard.closed).toBe(false);
    expect(kept.chat.disconnectReason).toBeUndefined();
    kept.close();
  });

  it('sign out everywhere revokes every session of the user, and closes all they have open', async () => {
    const one = new BrowserSession(api);
    const two = new BrowserSession(api);
    await one.login('bob');
    await two.login('bob');
    const a = await openEverything(api, one);
    const b = await openEverything(api, two);
    const res = await one.call('POST', '/api/auth/logout-all');
    expect(res.status).toBe(200);
    expect(res.body.revoked).toBeGreaterThanOrEqual(2);
    await closedEverything(a);
    await closedEverything(b);
    expect((await two.refresh()).status).toBe(401);
    expect((await request(api, 'GET', '/api/auth/me', { token: two.accessToken })).status).toBe(401);
  });

  it('refresh without, or with a garbage, cookie is a 401 JSON answer', async () => {
    const s = new BrowserSession(api);
    expect((await s.refresh()).body).toMatchObject({
      statusCode: 401,
      message: expect.stringMatching(/sign in/),
    });
    s.jar.set('rt_refresh', 'garbage');
    expect((await s.refresh()).body).toMatchObject({ statusCode: 401 });
  });

  it('chat keeps going on the same socket after an in-band renewal', async () => {
    const s = new BrowserSession(api);
    await s.login('carol');
    const chat = await ChatClient.connect(api, s.accessToken);
    expect((await s.refresh()).status).toBe(200);
    expect(await chat.request('auth', { token: s.accessToken })).toMatchObject({ ok: true });
    expect(await chat.request('join', { roomId: 'renewed' })).toMatchObject({ ok: true });
    chat.close();
  });
});
