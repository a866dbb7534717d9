import { ApiProcess, freePort, login, request } from '@realtime/test-support';

import { ChatClient } from '../chat/chat-client';
import { openStream as openDashboard } from '../dashboard/dashboard-support';
import { notify, openStream as openNotifications } from '../notifications/clients';
import { signToken } from '../reliability/support';
import { logLines } from './log-lines';
import { OWN_METRICS, RUNTIME_METRICS, Scrape, scrape, scrapeUntil } from './prometheus';

const TOKEN = 'e2e-scrape-token-0123456789';

describe('metrics: GET /api/metrics on one instance', () => {
  let api: ApiProcess;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    api = await ApiProcess.start({
      env: {
        METRICS_TOKEN: TOKEN,
        METRICS_PORT: String(metricsPort),
        SIMULATOR: 'false',
        NOTIFY_RATE_BURST: '1',
        NOTIFY_RATE_PER_S: '1',
        LOG_LEVEL: 'debug',
        DASHBOARD_TICK_MS: '300',
      },
    });
  });
  afterEach(() => ChatClient.closeAll());
  afterAll(() => api?.dispose());

  it('refuses a scrape without its token, with a wrong one, and a user who is not an admin', async () => {
    const none = await request(api, 'GET', '/api/metrics');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, message: expect.any(String) });
    const wrong = await request(api, 'GET', '/api/metrics', { token: `${TOKEN}x` });
    expect(wrong.status).toBe(401);
    const carol = await login(api, 'carol');
    const viewer = await request(api, 'GET', '/api/metrics', { token: carol.accessToken });
    expect(viewer.status).toBe(403);
    expect(viewer.body).toMatchObject({ statusCode: 403, requiredRole: 'admin' });
    // An admin may read them with a session token.
    const alice = await login(api, 'alice');
    expect((await request(api, 'GET', '/api/metrics', { token: alice.accessToken })).status).toBe(200);
  });

  it('serves every promised metric in the Prometheus text format with the token', async () => {
    const res = await fetch(`${api.baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const s = Scrape.parse(await res.text());
    for (const name of [...OWN_METRICS, ...RUNTIME_METRICS])
      expect([name, s.types.has(name)]).toEqual([name, true]);
    // One instance id on every per-instance series, the same everywhere.
    const ids = new Set(s.series('rt_connections_open').map((l) => l['instance_id']));
    expect(ids.size).toBe(1);
    expect(s.series('rt_instance_info')[0]).toMatchObject({ instance_id: [...ids][0] });
  });

  it('serves the same metrics without a token on METRICS_PORT', async () => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(Scrape.parse(await res.text()).types.has('rt_connections_open')).toBe(true);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
  });

  it('counts refused credentials by reason', async () => {
    const before = await scrape(api, TOKEN);
    const reason = (s: Scrape, r: string) => s.value('rt_auth_failures_total', { reason: r });
    expect(
      (await request(api, 'POST', '/api/auth/login', { body: { username: 'alice', password: 'nope' } }))
        .status,
    ).toBe(401);
    expect((await request(api, 'GET', '/api/dashboard/snapshot')).status).toBe(401);
    const expired = signToken({ sub: '1', username: 'alice', exp: Math.floor(Date.now() / 1000) - 60 });
    expect((await request(api, 'GET', '/api/dashboard/snapshot', { token: expired })).status).toBe(401);
    const forged = signToken(
      { sub: '1', username: 'alice' },
      { secret: 'another-secret-0123456789abcdef0123' },
    );
    expect((await request(api, 'GET', '/api/dashboard/snapshot', { token: forged })).status).toBe(401);
    const gone = signToken({ sub: '987654', username: 'ghost' });
    expect((await request(api, 'GET', '/api/dashboard/snapshot', { token: gone })).status).toBe(401);
    const after = await scrapeUntil(
      api,
      TOKEN,
      (s) => reason(s, 'revoked') > reason(before, 'revoked'),
      'the revoked token to be counted',
    );
    for (const r of ['bad_login', 'no_credentials', 'expired', 'forged', 'revoked']) {
      expect([r, reason(after, r) - reason(before, r)]).toEqual([r, 1]);
    }
  });

  it('times requests by route template and status, counts 429s by route, times database queries', async () => {
    const alice = await login(api, 'alice');
    const bob = await login(api, 'bob');
    const before = await scrape(api, TOKEN);
    const ok = { method: 'POST', route: '/api/notifications', status: '201' };
    const refused = { route: 'POST /api/notifications' };
    expect(
      (await notify(api, alice.accessToken, { userId: bob.user.id, title: 't', message: 'm' })).status,
    ).toBe(201);
    expect(
      (await notify(api, alice.accessToken, { userId: bob.user.id, title: 't', message: 'm' })).status,
    ).toBe(429);
    const read = await request(api, 'PUT', '/api/notifications/123456/read', { token: bob.accessToken });
    expect(read.status).toBe(404);
    const after = await scrapeUntil(
      api,
      TOKEN,
      (s) =>
        s.value('rt_http_request_duration_seconds_count', { route: '/api/notifications/:id/read' }) >
        before.value('rt_http_request_duration_seconds_count', { route: '/api/notifications/:id/read' }),
      'the 404 to be timed',
    );
    const count = (s: Scrape, labels: Record<string, string>) =>
      s.value('rt_http_request_duration_seconds_count', labels);
    expect(count(after, ok) - count(before, ok)).toBe(1);
    expect(
      after.value('rt_rate_limit_refusals_total', refused) -
        before.value('rt_rate_limit_refusals_total', refused),
    ).toBe(1);
    // No raw path (with its id) ever becomes a label.
    expect(after.series('rt_http_request_duration_seconds_count').some((l) => /\d/.test(l['route']))).toBe(
      false,
    );
    expect(after.value('rt_db_query_duration_seconds_count', { statement: 'insert' })).toBeGreaterThan(
      before.value('rt_db_query_duration_seconds_count', { statement: 'insert' }),
    );
    // The notification went out on its user's bus channel, named without the user id.
    expect(after.value('rt_events_published_total', { channel: 'notifications:user:*' })).toBeGreaterThan(
      before.value('rt_events_published_total', { channel: 'notifications:user:*' }),
    );
  });

  it('counts open chat sockets and dashboard streams, and times socket events', async () => {
    const bob = await login(api, 'bob');
    const before = await scrape(api, TOKEN);
    const open = (s: Scrape, kind: string) => s.value('rt_connections_open', { kind });
    const chat = await ChatClient.connect(api, bob.accessToken);
    const stream = await openDashboard(api, bob.accessToken);
    await stream.waitForEvents('metrics');
    expect((await chat.request<{ ok: boolean }>('join', { roomId: 'general' })).ok).toBe(true);
    expect((await chat.request<{ ok: boolean }>('join', { roomId: 42 })).ok).toBe(false);
    const during = await scrape(api, TOKEN);
    expect(open(during, 'chat') - open(before, 'chat')).toBe(1);
    expect(open(during, 'dashboard') - open(before, 'dashboard')).toBe(1);
    const events = (s: Scrape, outcome: string) =>
      s.value('rt_socket_event_duration_seconds_count', { event: 'join', outcome });
    expect(events(during, 'ok') - events(before, 'ok')).toBe(1);
    expect(events(during, 'error') - events(before, 'error')).toBe(1);
    // Each socket event runs under a trace id of its own, on every line it logs.
    const handled = logLines(api).filter(
      (l) => l['socketEvent'] === 'join' && l['socketId'] === chat.socket.id,
    );
    expect(handled.map((l) => l.msg)).toEqual(["'join' handled: ok", "'join' handled: BAD_REQUEST"]);
    expect(handled.every((l) => typeof l.traceId === 'string')).toBe(true);
    expect(new Set(handled.map((l) => l.traceId)).size).toBe(2);
    chat.close();
    stream.close();
    await scrapeUntil(
      api,
      TOKEN,
      (s) => open(s, 'chat') === open(before, 'chat') && open(s, 'dashboard') === open(before, 'dashboard'),
      'the closed socket and stream to be counted out',
    );
  });

  it('counts what streams write, ticks fanned out, and resumes by outcome', async () => {
    const bob = await login(api, 'bob');
    const before = await scrape(api, TOKEN);
    const first = await openDashboard(api, bob.accessToken);
    const [tick] = await first.waitForEvents('metrics');
    // Resumed at the last tick: replayed from the ring (nothing missed).
    const replayed = await openDashboard(api, bob.accessToken, { 'last-event-id': tick.id! });
    await replayed.waitForEvents('metrics');
    replayed.close();
    // An id older than the ring: a reset.
    const reset = await openDashboard(api, bob.accessToken, { 'last-event-id': '1' });
    await reset.waitForEvents('reset');
    reset.close();
    // A notification stream resumes from the database.
    const notes = await openNotifications(api, bob.accessToken, { 'last-event-id': '0' });
    await notes.waitForEvents('connected');
    notes.close();
    const resumes = (s: Scrape, kind: string, outcome: string) =>
      s.value('rt_resumes_total', { kind, outcome });
    const after = await scrapeUntil(
      api,
      TOKEN,
      (s) => resumes(s, 'notifications', 'from_database') > resumes(before, 'notifications', 'from_database'),
      'the notification resume to be counted',
    );
    expect(resumes(after, 'dashboard', 'replayed') - resumes(before, 'dashboard', 'replayed')).toBe(1);
    expect(resumes(after, 'dashboard', 'reset') - resumes(before, 'dashboard', 'reset')).toBe(1);
    expect(
      resumes(after, 'notifications', 'from_database') - resumes(before, 'notifications', 'from_database'),
    ).toBe(1);
    const delivered = (s: Scrape, channel: string) => s.value('rt_events_delivered_total', { channel });
    // At least the four openings: three metrics snapshots and a reset; one connected.
    expect(delivered(after, 'dashboard') - delivered(before, 'dashboard')).toBeGreaterThanOrEqual(4);
    expect(delivered(after, 'notifications') - delivered(before, 'notifications')).toBeGreaterThanOrEqual(1);
    const bytes = (s: Scrape, kind: string) => s.value('rt_stream_bytes_written_total', { kind });
    expect(bytes(after, 'dashboard') - bytes(before, 'dashboard')).toBeGreaterThan(tick.data.length * 3);
    // Ticks go on (every DASHBOARD_TICK_MS): each is timed as it is handed to the streams.
    const fanouts = (s: Scrape) => s.value('rt_tick_fanout_duration_seconds_count');
    await scrapeUntil(api, TOKEN, (s) => fanouts(s) > fanouts(after), 'a tick to be fanned out');
    first.close();
  });
});
