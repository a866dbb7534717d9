import Redis from 'ioredis';

import type { DashboardMetrics } from '@realtime/contracts';
import { type ApiProcess } from '@realtime/test-support';

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

  beforeAll(async () => {
    cluster = await Cluster.start({ env: { DASHBOARD_TICK_MS: '200' } });
  });
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
});
