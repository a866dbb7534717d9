import type { DashboardHistoryResponse, DashboardMetrics, DashboardReset } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

import { STREAM, eventSource, expectIncreasing, idsOf, metricsOf, openStream } from './dashboard-support';

/** Ticks every 200 ms, heartbeats every 300 ms, no simulated orders. */
describe('dashboard stream (live ticks)', () => {
  let api: ApiProcess;
  let alice: string;
  const open: RawSse[] = [];
  const track = (s: RawSse) => (open.push(s), s);

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        DASHBOARD_TICK_MS: '200',
        HEARTBEAT_MS: '300',
        SIMULATOR: 'false',
        // This machine is shared: a busy moment must not turn the status these tests expect.
        EVENT_LOOP_DELAY_MS_THRESHOLD: '5000',
        // Hundreds of streams of one user below: above the default per-user cap of 20.
        MAX_CONNECTIONS_PER_USER: '1000',
      },
    });
    alice = (await login(api, 'alice')).accessToken;
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(() => api.dispose());

  it('sends the SSE headers, then retry and a metrics event of the contract shape first', async () => {
    const sse = track(await openStream(api, alice));
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(sse.headers['cache-control']).toMatch(/no-cache/);
    expect(sse.headers['cache-control']).toMatch(/no-transform/);
    expect(sse.headers['x-accel-buffering']).toBe('no');
    expect(sse.headers['content-encoding']).toBeUndefined();
    const [first] = await sse.waitForEvents('metrics', 1);
    expect(sse.events[0]).toBe(first);
    expect(first.retry).toBeGreaterThan(0);
    // the first bytes: the retry field, then the first metrics event
    expect(sse.body.replace(/^\s+/, '')).toMatch(/^retry: \d+\nevent: metrics\nid: \d+\ndata: \{/);
    const m = metricsOf(first);
    expect(m).toEqual({
      activeUsers: expect.any(Number),
      ordersPerMinute: expect.any(Number),
      revenue: expect.any(Number),
      currency: 'USD',
      ordersToday: expect.any(Number),
      systemStatus: 'operational',
      components: expect.objectContaining({
        database: expect.objectContaining({ state: 'ok', unit: 'ms', value: expect.any(Number) }),
        redis: expect.objectContaining({ state: 'disabled' }),
        eventLoop: expect.objectContaining({ unit: 'ms', threshold: 5000 }),
        heap: expect.objectContaining({ unit: 'MB', threshold: 1024 }),
      }),
      timestamp: expect.any(Number),
    });
    expect(m.activeUsers).toBeGreaterThanOrEqual(1);
  });

  it('ticks every DASHBOARD_TICK_MS with increasing ids, one JSON data line each, and heartbeats', async () => {
    const sse = track(await openStream(api, alice));
    const events = await sse.waitForEvents('metrics', 11);
    await sse.until((s) => s.comments.filter((c) => c === 'heartbeat').length >= 3, 15_000, '3 heartbeats');
    const ids = idsOf(events);
    expectIncreasing(ids);
    expect(events.every((e) => e.id && /^\d+$/.test(e.id))).toBe(true);
    expect(sse.body).not.toMatch(/data: [^\n]*\ndata:/); // never two data lines in one event
    // The server's own clock says how far apart the ticks were: about DASHBOARD_TICK_MS.
    const stamps = events.slice(1).map((e) => metricsOf(e).timestamp);
    const gaps = stamps
      .slice(1)
      .map((t, i) => t - stamps[i])
      .sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)];
    expect(median).toBeGreaterThanOrEqual(150);
    expect(median).toBeLessThan(600);
    // Heartbeats come as comment lines only, and do not stop the ticks.
    expect(sse.body).toMatch(/\n: heartbeat\n\n/);
  });

  it('works with a real EventSource client', async () => {
    const es = eventSource(api, alice);
    try {
      const got: Array<{ id: string; data: DashboardMetrics }> = [];
      await new Promise<void>((resolve, reject) => {
        es.addEventListener('metrics', (e) => {
          got.push({ id: e.lastEventId, data: JSON.parse(e.data) });
          if (got.length === 3) resolve();
        });
        es.onerror = (e) => reject(new Error(`EventSource error: ${e.message ?? e.code}`));
      });
      expectIncreasing(got.map((g) => Number(g.id)));
      expect(got[2].data.currency).toBe('USD');
    } finally {
      es.close();
    }
  });

  it('resumes from Last-Event-ID with every missed tick in order, then live ones, no duplicate', async () => {
    // A witness stream stays open and sees every tick.
    const witness = track(await openStream(api, alice));
    const client = await openStream(api, alice);
    await client.waitForEvents('metrics', 3);
    client.close();
    const lastSeen = Number(client.events[client.events.length - 1].id);
    // Wait until the client has missed at least three ticks.
    await witness.until(
      (s) => idsOf(s.events).filter((id) => id > lastSeen).length >= 3,
      15_000,
      'three ticks after the client left',
    );
    const resumed = track(await openStream(api, alice, { 'last-event-id': String(lastSeen) }));
    const missedSoFar = idsOf(witness.events).filter((id) => id > lastSeen);
    await resumed.waitForEvents('metrics', missedSoFar.length + 3);
    await witness.until(
      (s) => idsOf(s.events).filter((id) => id > lastSeen).length >= resumed.events.length,
      15_000,
      'the witness to catch up',
    );
    const ticks = idsOf(witness.events).filter((id) => id > lastSeen);
    expect(idsOf(resumed.events)).toEqual(ticks.slice(0, resumed.events.length));
    expect(resumed.events.every((e) => e.event === 'metrics')).toBe(true);
    expect(resumed.events[0].retry).toBeGreaterThan(0);
  });

  it('accepts ?lastEventId= for clients that reconnect by hand', async () => {
    const witness = track(await openStream(api, alice));
    const [, tick] = await witness.waitForEvents('metrics', 2);
    await witness.waitForEvents('metrics', 4);
    const resumed = track(await openStream(api, alice, {}, `?lastEventId=${tick.id}`));
    // On a loaded machine a further tick can arrive in the same read: the first two are the missed ones.
    const got = await resumed.waitForEvents('metrics', 2);
    expect(got.slice(0, 2).map((e) => e.id)).toEqual([witness.events[2].id, witness.events[3].id]);
  });

  it('answers an id older than the kept window with the current snapshot and a reset event', async () => {
    const sse = track(await openStream(api, alice, { 'last-event-id': '1000' }));
    await sse.until((s) => s.events.length >= 3, 15_000, 'snapshot, reset and a tick');
    expect(sse.events.slice(0, 3).map((e) => e.event)).toEqual(['metrics', 'reset', 'metrics']);
    const reset = JSON.parse(sse.events[1].data) as DashboardReset;
    expect(reset).toMatchObject({ reason: 'gap-too-old', lastEventId: '1000' });
    expect(reset.message).toMatch(/could not be filled/);
    expectIncreasing(idsOf(sse.events));
  });

  it.each(['garbage', '-1', '12abc', '1e99', ' '])(
    'treats a garbage Last-Event-ID (%j) as none: a fresh snapshot, no error',
    async (id) => {
      const sse = track(await openStream(api, alice, { 'last-event-id': id }));
      expect(sse.status).toBe(200);
      await sse.waitForEvents('metrics', 2);
      expect(sse.events.map((e) => e.event)).not.toContain('reset');
      expect(sse.events.map((e) => e.event)).not.toContain('error');
    },
  );

  it('keeps the series for chart backfill and validates minutes', async () => {
    const sse = track(await openStream(api, alice));
    await sse.waitForEvents('metrics', 3);
    const res = await request<DashboardHistoryResponse>(api, 'GET', '/api/dashboard/history?minutes=1', {
      token: alice,
    });
    expect(res.status).toBe(200);
    expect(res.body.retentionMinutes).toBe(15);
    expect(res.body.points.length).toBeGreaterThanOrEqual(2);
    expectIncreasing(res.body.points.map((p) => p.timestamp));
    const whole = await request(api, 'GET', '/api/dashboard/history', { token: alice });
    expect(whole.status).toBe(200);
    for (const bad of ['0', '16', 'abc', '1.5', '-3', '']) {
      const r = await request(api, 'GET', `/api/dashboard/history?minutes=${bad}`, { token: alice });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/minutes: must be a whole number from 1 to 15/);
    }
  });

  it('answers without a token with 401 JSON, on the stream and the REST endpoints', async () => {
    const sse = track(await RawSse.open(`${api.baseUrl}${STREAM}`));
    await sse.until((s) => s.closed, 10_000, 'the 401 to end');
    expect(sse.status).toBe(401);
    expect(JSON.parse(sse.body)).toMatchObject({ statusCode: 401 });
    for (const [method, path] of [
      ['GET', '/api/dashboard/snapshot'],
      ['POST', '/api/dashboard/refresh'],
      ['GET', '/api/dashboard/history'],
      ['GET', '/api/dashboard/connections'],
    ]) {
      const res = await request(api, method, path);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401 });
    }
  });

  it('keeps 200 concurrent streams all receiving the same ticks', async () => {
    const tokens = await Promise.all(
      ['alice', 'bob', 'carol'].map(async (u) => (await login(api, u)).accessToken),
    );
    const streams = await Promise.all(
      Array.from({ length: 200 }, (_, i) => openStream(api, tokens[i % 3]).then(track)),
    );
    await Promise.all(streams.map((s) => s.waitForEvents('metrics', 1, 30_000)));
    // A tick published after every stream was open must reach each of them.
    const newestOpening = Math.max(...streams.map((s) => Number(s.events[0].id)));
    const firstTickAfter = (s: RawSse) => s.events.find((e) => Number(e.id) > newestOpening);
    await Promise.all(streams.map((s) => s.until(firstTickAfter, 30_000, 'a tick after all opened')));
    // ...and it is the same tick, the same id, for all of them.
    expect(new Set(streams.map((s) => firstTickAfter(s)!.id)).size).toBe(1);
    expect(new Set(streams.map((s) => firstTickAfter(s)!.data)).size).toBe(1);
    for (const s of streams) expectIncreasing(idsOf(s.events));
  });
});
