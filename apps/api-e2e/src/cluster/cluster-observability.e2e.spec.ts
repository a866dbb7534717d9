import type { InstancesResponse, LoginResponse } from '@realtime/contracts';
import { login, request } from '@realtime/test-support';

import { openStream as openDashboard } from '../dashboard/dashboard-support';
import { notify, openStream as openNotifications } from '../notifications/clients';
import { waitForLog } from '../metrics/log-lines';
import { Scrape, scrape, scrapeUntil } from '../metrics/prometheus';
import { Cluster, eventually, health } from './cluster-support';

const TOKEN = 'e2e-scrape-token-0123456789';

/** Metrics and traces of two instances joined through the real Redis and PostgreSQL. */
describe('cluster: metrics and traces of two instances', () => {
  let cluster: Cluster;
  let alice: LoginResponse;
  let bob: LoginResponse;
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    cluster = await Cluster.start({
      env: { METRICS_TOKEN: TOKEN, LOG_LEVEL: 'info', INSTANCE_STATUS_MS: '300' },
    });
    [alice, bob] = await Promise.all([login(cluster.a, 'alice'), login(cluster.b, 'bob')]);
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => cluster?.dispose());

  it('names each instance as its health check does, and counts connections where they are open', async () => {
    const { a, b } = cluster;
    const [ha, hb] = await Promise.all([health(a), health(b)]);
    const idOf = (s: Scrape) => s.series('rt_instance_info')[0]['instance_id'];
    const [before, beforeA] = [await scrape(b, TOKEN), await scrape(a, TOKEN)];
    expect(idOf(before)).toBe(hb.details.connections.instance);
    expect(idOf(beforeA)).toBe(ha.details.connections.instance);
    const stream = await openNotifications(b, bob.accessToken);
    open.push(stream);
    await stream.waitForEvents('connected');
    const kind = { kind: 'notifications' };
    const afterB = await scrape(b, TOKEN);
    expect(afterB.value('rt_connections_open', kind) - before.value('rt_connections_open', kind)).toBe(1);
    expect(afterB.series('rt_connections_open').every((l) => l['instance_id'] === idOf(afterB))).toBe(true);
    const afterA = await scrape(a, TOKEN);
    expect(afterA.value('rt_connections_open', kind)).toBe(beforeA.value('rt_connections_open', kind));
  });

  it('times Redis publishes and counts bus messages on both instances', async () => {
    const { a, b } = cluster;
    const stream = await openNotifications(b, bob.accessToken);
    open.push(stream);
    await stream.waitForEvents('connected');
    const channel = { channel: 'notifications:user:*' };
    const [beforeA, beforeB] = [await scrape(a, TOKEN), await scrape(b, TOKEN)];
    expect(
      (await notify(a, alice.accessToken, { userId: bob.user.id, title: 'm', message: 'x' })).status,
    ).toBe(201);
    await stream.waitForEvents('notification');
    const afterA = await scrape(a, TOKEN);
    const afterB = await scrapeUntil(
      b,
      TOKEN,
      (s) =>
        s.value('rt_bus_messages_received_total', channel) >
        beforeB.value('rt_bus_messages_received_total', channel),
      'B to count the message it heard',
    );
    expect(
      afterA.value('rt_events_published_total', channel) -
        beforeA.value('rt_events_published_total', channel),
    ).toBe(1);
    const published = { command: 'publish' };
    expect(afterA.value('rt_redis_roundtrip_seconds_count', published)).toBeGreaterThan(
      beforeA.value('rt_redis_roundtrip_seconds_count', published),
    );
    expect(afterB.value('rt_events_published_total', channel)).toBe(
      beforeB.value('rt_events_published_total', channel),
    );
  });

  it("joins one notification's path on its request id: POST and store on A, delivery on A and B", async () => {
    const { a, b } = cluster;
    const onA = await openNotifications(a, bob.accessToken);
    const onB = await openNotifications(b, bob.accessToken);
    open.push(onA, onB);
    await Promise.all([onA.waitForEvents('connected'), onB.waitForEvents('connected')]);
    const traceId = `trace-${Date.now()}`;
    const traced = await fetch(`${a.baseUrl}/api/notifications`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.accessToken}`,
        'content-type': 'application/json',
        'x-request-id': traceId,
      },
      body: JSON.stringify({ userId: bob.user.id, title: 'traced', message: 'y' }),
    });
    expect(traced.status).toBe(201);
    expect(traced.headers.get('x-request-id')).toBe(traceId);
    const eventId = Number(((await onB.waitForEvents('notification')).at(-1) as { id: string }).id);
    const byTrace = (msg: string) => (l: { msg?: string; traceId?: string }) =>
      l.traceId === traceId && l.msg === msg;
    const stored = await waitForLog(a, byTrace('notification event stored, publishing'), 'the store on A');
    expect(stored['eventId']).toBe(eventId);
    await waitForLog(a, byTrace('request completed'), 'the POST on A');
    for (const api of [a, b]) {
      const delivered = await waitForLog(api, byTrace('notification event delivering'), 'a delivery');
      expect(delivered['eventId']).toBe(eventId);
    }
  });

  it('lists both instances for an admin on either instance: tick role, Redis, database, version', async () => {
    const { a, b } = cluster;
    const [ha, hb] = await Promise.all([health(a), health(b)]);
    const carol = await login(a, 'carol');
    const refused = await request(a, 'GET', '/api/ops/instances', { token: carol.accessToken });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ requiredRole: 'admin' });
    for (const [api, self] of [
      [a, ha],
      [b, hb],
    ] as const) {
      const list = await eventually(
        async () =>
          (await request<InstancesResponse>(api, 'GET', '/api/ops/instances', { token: alice.accessToken }))
            .body,
        (r) => r.instances?.length === 2,
        'both instances on the operations list',
      );
      expect(list.self).toBe(self.details.connections.instance);
      expect(list.instances.map((i) => i.instanceId).sort()).toEqual(
        [ha.details.connections.instance, hb.details.connections.instance].sort(),
      );
      expect(list.instances.map((i) => i.ticks).sort()).toEqual(['following', 'publishing']);
      for (const i of list.instances) {
        expect(i).toMatchObject({ redis: 'up', database: 'up', version: expect.any(String) });
        expect(i.uptimeS).toBeGreaterThanOrEqual(0);
      }
    }
    // A stream opened on B shows in B's next record, as heard on A.
    const stream = await openNotifications(b, bob.accessToken);
    open.push(stream);
    await stream.waitForEvents('connected');
    const idB = hb.details.connections.instance;
    await eventually(
      async () =>
        (await request<InstancesResponse>(a, 'GET', '/api/ops/instances', { token: alice.accessToken })).body,
      (r) => (r.instances?.find((i) => i.instanceId === idB)?.connections.notifications ?? 0) >= 1,
      "B's stream in the record A heard",
    );
  });

  it('counts stream writes, tick fan-outs and a resume on the instance that served them', async () => {
    const { a, b } = cluster;
    const [beforeA, beforeB] = [await scrape(a, TOKEN), await scrape(b, TOKEN)];
    const onA = await openDashboard(a, bob.accessToken);
    open.push(onA);
    const [tick] = await onA.waitForEvents('metrics', 2);
    // The client comes back on B with A's last id: B replays from its own ring.
    const onB = await openDashboard(b, bob.accessToken, { 'last-event-id': tick.id! });
    open.push(onB);
    await onB.waitForEvents('metrics');
    const replayed = { kind: 'dashboard', outcome: 'replayed' };
    const afterB = await scrapeUntil(
      b,
      TOKEN,
      (s) => s.value('rt_resumes_total', replayed) > beforeB.value('rt_resumes_total', replayed),
      'the resume on B',
    );
    const afterA = await scrape(a, TOKEN);
    expect(afterA.value('rt_resumes_total', replayed)).toBe(beforeA.value('rt_resumes_total', replayed));
    const delivered = (s: Scrape) => s.value('rt_events_delivered_total', { channel: 'dashboard' });
    const fanouts = (s: Scrape) => s.value('rt_tick_fanout_duration_seconds_count');
    for (const [api, after, before] of [
      [a, afterA, beforeA],
      [b, afterB, beforeB],
    ] as const) {
      expect(delivered(after)).toBeGreaterThan(delivered(before));
      // Every instance fans out the ticks it hears, the publisher's own included. A stream's
      // first live ticks can reach it through its own catch-up listener, so wait for the next
      // tick that goes through the instance's fan-out.
      await scrapeUntil(
        api,
        TOKEN,
        (s) => fanouts(s) > fanouts(before),
        'a tick fanned out on each instance',
      );
    }
  });
});
