import type { DashboardMetrics } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

import {
  STREAM,
  connections,
  eventually,
  expectIncreasing,
  idsOf,
  metricsOf,
  openStream,
} from './dashboard-support';

/** How many streams the teardown test opens and closes (E2E_STREAMS=1000 for the full run). */
const TEARDOWN_STREAMS = Number(process.env.E2E_STREAMS ?? 300);

/**
 * Ticks once an hour here, so the only events are the ones a test causes: what a stream
 * gets at once on connect, and refresh pushes.
 */
describe('dashboard stream (snapshot, refresh, presence, teardown)', () => {
  let api: ApiProcess;
  let alice: string;
  let bob: string;
  let carol: string;
  const open: RawSse[] = [];
  const track = (s: RawSse) => (open.push(s), s);

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        DASHBOARD_TICK_MS: '3600000',
        HEARTBEAT_MS: '3600000',
        SIMULATOR: 'false',
        // Hundreds of streams of one user below: above the default per-user cap of 20.
        MAX_CONNECTIONS_PER_USER: '10000',
      },
    });
    [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map(async (u) => (await login(api, u)).accessToken),
    );
  });
  afterEach(async () => {
    open.splice(0).forEach((s) => s.close());
    await eventually(
      () => connections(api, alice),
      (c) => c.dashboardStreams === 0,
      'streams to close',
    );
  });
  afterAll(() => api.dispose());

  it('sends the current snapshot at once, without waiting for a tick', async () => {
    const sse = track(await openStream(api, alice));
    const [first] = await sse.waitForEvents('metrics', 1);
    expect(first.retry).toBeGreaterThan(0);
    expect(metricsOf(first).activeUsers).toBe(1);
  });

  it('lets a browser stream authenticate with the login cookie, but not a refresh (no CSRF)', async () => {
    const res = await request(api, 'POST', '/api/auth/login', {
      body: { username: 'carol', password: 'demo-password' },
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    const sse = track(await RawSse.open(`${api.baseUrl}${STREAM}`, { cookie }));
    expect(sse.status).toBe(200);
    await sse.waitForEvents('metrics', 1);
    const refresh = await request(api, 'POST', '/api/dashboard/refresh', { headers: { cookie } });
    expect(refresh.status).toBe(401);
  });

  it('counts distinct users: two users, and one user twice', async () => {
    const a1 = track(await openStream(api, alice));
    expect(metricsOf((await a1.waitForEvents('metrics'))[0]).activeUsers).toBe(1);
    const a2 = track(await openStream(api, alice));
    expect(metricsOf((await a2.waitForEvents('metrics'))[0]).activeUsers).toBe(1);
    const b = track(await openStream(api, bob));
    expect(metricsOf((await b.waitForEvents('metrics'))[0]).activeUsers).toBe(2);
    expect(await connections(api, alice)).toMatchObject({ dashboardStreams: 3, activeUsers: 2 });

    a1.close();
    await eventually(
      () => connections(api, alice),
      (c) => c.dashboardStreams === 2,
      'one stream to close',
    );
    const snap = await request<DashboardMetrics>(api, 'GET', '/api/dashboard/snapshot', { token: carol });
    expect(snap.status).toBe(200);
    expect(snap.body.activeUsers).toBe(2); // alice still has a stream open
    a2.close();
    await eventually(
      () => connections(api, alice),
      (c) => c.activeUsers === 1,
      'alice to leave',
    );
    b.close();
    await eventually(
      () => connections(api, alice),
      (c) => c.activeUsers === 0,
      'bob to leave',
    );
  });

  it("pushes a refresh at once to that user's open streams only", async () => {
    const a1 = track(await openStream(api, alice));
    const a2 = track(await openStream(api, alice));
    const b = track(await openStream(api, bob));
    await Promise.all([a1, a2, b].map((s) => s.waitForEvents('metrics', 1)));

    const res = await request<DashboardMetrics>(api, 'POST', '/api/dashboard/refresh', { token: alice });
    expect(res.status).toBe(200);
    expect(res.body.activeUsers).toBe(2);
    for (const s of [a1, a2]) {
      const [, pushed] = await s.waitForEvents('metrics', 2);
      expect(JSON.parse(pushed.data)).toEqual(res.body);
      expectIncreasing(idsOf(s.events));
    }
    // Bob's own refresh is the next event on his stream: Alice's never reached it.
    const mine = await request<DashboardMetrics>(api, 'POST', '/api/dashboard/refresh', { token: bob });
    const [, pushed] = await b.waitForEvents('metrics', 2);
    expect(JSON.parse(pushed.data)).toEqual(mine.body);
    expect(b.events).toHaveLength(2);
    expect(a1.events).toHaveLength(2);
  });

  it('resumes after a refresh id without going back or repeating', async () => {
    const s = track(await openStream(api, alice));
    await s.waitForEvents('metrics', 1);
    await request(api, 'POST', '/api/dashboard/refresh', { token: alice });
    const [, refresh] = await s.waitForEvents('metrics', 2);
    s.close();
    const again = track(await openStream(api, alice, { 'last-event-id': refresh.id! }));
    const [first] = await again.waitForEvents('metrics', 1);
    expect(Number(first.id)).toBeGreaterThan(Number(refresh.id));
  });

  it(`releases subscriptions and presence when ${TEARDOWN_STREAMS} streams open and close`, async () => {
    const before = await connections(api, alice);
    const tokens = [alice, bob, carol];
    const streams = await Promise.all(
      Array.from({ length: TEARDOWN_STREAMS }, (_, i) => openStream(api, tokens[i % 3]).then(track)),
    );
    await Promise.all(streams.map((s) => s.waitForEvents('metrics', 1, 30_000)));
    const during = await connections(api, alice);
    expect(during.dashboardStreams).toBe(before.dashboardStreams + TEARDOWN_STREAMS);
    expect(during.connections['dashboard']).toBe(before.connections['dashboard'] + TEARDOWN_STREAMS);
    expect(during.activeUsers).toBe(3);
    expect(during.userChannels).toBe(3);
    streams.forEach((s) => s.close());
    const after = await eventually(
      () => connections(api, alice),
      (c) => c.dashboardStreams === before.dashboardStreams,
      'every stream to be released',
    );
    expect(after).toEqual(before);
    // The server still serves streams normally afterwards.
    const s = track(await openStream(api, carol));
    expect(metricsOf((await s.waitForEvents('metrics'))[0]).activeUsers).toBe(1);
  });
});

describe('dashboard system status', () => {
  let api: ApiProcess;
  afterAll(() => api?.dispose());

  it('is degraded, naming the component, when one is over its configured threshold', async () => {
    // No Node process runs in less than 16 MB of heap: the heap check is over its threshold.
    api = await ApiProcess.start({
      env: { HEAP_USED_MB_THRESHOLD: '16', SIMULATOR: 'false', DASHBOARD_TICK_MS: '3600000' },
    });
    const { accessToken } = await login(api, 'alice');
    const res = await request<DashboardMetrics>(api, 'GET', '/api/dashboard/snapshot', {
      token: accessToken,
    });
    expect(res.body.systemStatus).toBe('degraded');
    expect(res.body.components['heap']).toMatchObject({ state: 'degraded', unit: 'MB', threshold: 16 });
    expect(res.body.components['heap'].value).toBeGreaterThan(16);
    expect(res.body.components['database'].state).toBe('ok');
  });

  it('ends open streams at shutdown so the process exits (SIGTERM)', async () => {
    const { accessToken } = await login(api, 'bob');
    const sse = await openStream(api, accessToken);
    await sse.waitForEvents('metrics', 1);
    await api.stop('SIGTERM');
    await sse.until((s) => s.closed, 10_000, 'the stream to end');
  });
});
