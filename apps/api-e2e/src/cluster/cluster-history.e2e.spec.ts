import Redis from 'ioredis';

import type { Annotation, DashboardMetrics, LoginResponse } from '@realtime/contracts';
import { type ApiProcess, type RawSse, login, request } from '@realtime/test-support';

import { alertHistory, alertTitles, createRule, moreTicks, placeOrder } from '../alerts/alerts-support';
import { openStream } from '../dashboard/dashboard-support';
import { sql } from '../reliability/support';
import { Cluster, eventually } from './cluster-support';

const minuteOf = (ms: number) => ms - (ms % 60_000);

/** Ticks per minute in the cluster's shared tick log (every tick the publisher published). */
async function loggedPerMinute(cluster: Cluster): Promise<Map<number, number>> {
  const redis = new Redis(cluster.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const entries = await redis.xrange(`${cluster.prefix}dashboard:ticks`, '-', '+');
    const perMinute = new Map<number, number>();
    for (const [, fields] of entries) {
      const metrics = JSON.parse(fields[fields.indexOf('d') + 1]) as DashboardMetrics;
      const m = minuteOf(metrics.timestamp);
      perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
    }
    return perMinute;
  } finally {
    redis.disconnect();
  }
}

async function storedPerMinute(api: ApiProcess): Promise<Map<number, number>> {
  const rows = await sql(api, 'SELECT minute, samples FROM dashboard_history');
  return new Map(rows.map((r) => [Number(r['minute']), Number(r['samples'])]));
}

const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('cluster: stored history and alerts on two instances', () => {
  let cluster: Cluster;
  let alice: LoginResponse;
  let bob: LoginResponse;
  let carol: LoginResponse;
  const open: RawSse[] = [];
  const track = (s: RawSse) => (open.push(s), s);
  const annotationsOf = (s: RawSse) =>
    s.events.filter((e) => e.event === 'annotation').map((e) => JSON.parse(e.data) as Annotation);

  beforeAll(async () => {
    cluster = await Cluster.start({ env: { DASHBOARD_TICK_MS: '200' } });
    [alice, bob, carol] = await Promise.all([
      login(cluster.a, 'alice'),
      login(cluster.b, 'bob'),
      login(cluster.a, 'carol'),
    ]);
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(() => cluster?.dispose());

  it('stores each published tick once for the whole cluster', async () => {
    const logged = await eventually(
      () => loggedPerMinute(cluster),
      (m) => total(m) >= 10,
      'ten ticks in the shared log',
    );
    // Every tick logged by then is stored in time…
    await eventually(
      () => storedPerMinute(cluster.a),
      (stored) => [...logged].every(([minute, n]) => (stored.get(minute) ?? 0) >= n),
      'the logged ticks in the stored history',
    );
    // …and never more often than it was published (the history is read first: the log is
    // appended before a tick is stored, so it can only be ahead).
    const stored = await storedPerMinute(cluster.b);
    const after = await loggedPerMinute(cluster);
    for (const [minute, n] of stored)
      expect({ minute, n }).toEqual({ minute, n: Math.min(n, after.get(minute) ?? 0) });
  });

  it('fires and resolves a rule exactly once for the cluster, to the right users, annotated on both instances', async () => {
    const onA = track(await openStream(cluster.a, alice.accessToken));
    const onB = track(await openStream(cluster.b, carol.accessToken));
    // Created on B; evaluated by whichever instance publishes the ticks.
    const rule = await createRule(cluster.b, bob.accessToken, {
      name: 'cluster orders stopped',
      metric: 'ordersPerMinute',
      condition: 'below',
      threshold: 1,
      // carol by name, bob as the operator (alice is an admin: not an operator, not named)
      recipients: { users: [carol.user.id], roles: ['operator'] },
    });
    expect(rule.status).toBe(201);
    for (const s of [onA, onB]) {
      await s.until((x) => annotationsOf(x).some((a) => a.kind === 'alert-firing'), 20_000, 'the firing');
    }
    // An order placed on A counts on every instance: the rule resolves.
    expect((await placeOrder(cluster.a, alice.accessToken)).status).toBe(201);
    for (const s of [onA, onB]) {
      await s.until(
        (x) => annotationsOf(x).some((a) => a.kind === 'alert-resolved'),
        20_000,
        'the resolution',
      );
    }
    await Promise.all([moreTicks(onA, 10), moreTicks(onB, 10)]);
    const expected = ['Alert: cluster orders stopped', 'Resolved: cluster orders stopped'];
    expect(await alertTitles(cluster.a, bob.accessToken)).toEqual(expected);
    expect(await alertTitles(cluster.b, carol.accessToken)).toEqual(expected);
    expect(await alertTitles(cluster.b, alice.accessToken)).toEqual([]);
    expect((await alertHistory(cluster.a, alice.accessToken)).items.map((e) => e.kind)).toEqual([
      'resolved',
      'firing',
    ]);
    for (const s of [onA, onB]) {
      expect(annotationsOf(s).map((a) => a.kind)).toEqual(['alert-firing', 'alert-resolved']);
    }
    await request(cluster.a, 'DELETE', `/api/alerts/rules/${rule.body.id}`, { token: bob.accessToken });
  });

  it('delivers a posted annotation to the open streams of every instance', async () => {
    const streams = [
      track(await openStream(cluster.a, alice.accessToken)),
      track(await openStream(cluster.b, bob.accessToken)),
      track(await openStream(cluster.b, carol.accessToken)),
    ];
    await Promise.all(streams.map((s) => s.waitForEvents('metrics')));
    const posted = await request<Annotation>(cluster.a, 'POST', '/api/annotations', {
      token: bob.accessToken,
      body: { text: 'failover drill', kind: 'incident' },
    });
    expect(posted.status).toBe(201);
    for (const s of streams) {
      await s.until((x) => annotationsOf(x).some((a) => a.id === posted.body.id), 20_000, 'the annotation');
      expect(annotationsOf(s).filter((a) => a.id === posted.body.id)).toEqual([posted.body]);
    }
  });
});
