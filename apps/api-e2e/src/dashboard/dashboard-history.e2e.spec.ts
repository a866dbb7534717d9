import type { DashboardHistoryBucket, DashboardHistoryRangeResponse } from '@realtime/contracts';
import { ApiProcess, login, request } from '@realtime/test-support';

import { sql } from '../reliability/support';
import { eventually } from './dashboard-support';

const MINUTE = 60_000;
const DAY = 86_400_000;

const samplesOf = (series: DashboardHistoryBucket[]) => series.reduce((n, b) => n + b.samples, 0);

/**
 * Writes `count` per-minute rows straight into the database from `start` on, one sample each:
 * ordersPerMinute 1, activeUsers the minute's index modulo 10 (so a bucket's average, least and
 * greatest value are known), revenue 100, ordersToday the index, status operational.
 */
async function insertMinutes(api: ApiProcess, start: number, count: number): Promise<void> {
  await sql(
    api,
    `WITH RECURSIVE s(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM s WHERE i < ${count - 1})
     INSERT INTO dashboard_history (minute, samples,
       active_users_sum, active_users_min, active_users_max,
       orders_per_minute_sum, orders_per_minute_min, orders_per_minute_max,
       revenue_sum, revenue_min, revenue_max,
       orders_today_sum, orders_today_min, orders_today_max,
       status_worst, updated_at)
     SELECT ${start} + i * ${MINUTE}, 1, i % 10, i % 10, i % 10, 1, 1, 1, 100, 100, 100, i, i, i, 0, ${start}
     FROM s WHERE true`,
  );
}

describe('dashboard history (stored per minute)', () => {
  let api: ApiProcess;
  let alice: string;

  const history = (query: string) =>
    request<DashboardHistoryRangeResponse>(api, 'GET', `/api/dashboard/history?${query}`, { token: alice });

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        DASHBOARD_TICK_MS: '100',
        SIMULATOR: 'false',
        // a day more than the 30 written below, so that none of them is pruned meanwhile
        HISTORY_RETENTION_DAYS: '31',
      },
    });
    alice = (await login(api, 'alice')).accessToken;
  });
  afterAll(() => api.dispose());

  it('survives an API restart, keeps recording after it, and prunes what is past the retention', async () => {
    const startedBefore = Date.now() - 5 * MINUTE;
    const stored = await eventually(
      async () => (await history(`from=${startedBefore}`)).body,
      (b) => samplesOf(b.series) >= 5,
      'five ticks in the stored history',
    );
    expect(stored).toMatchObject({ step: MINUTE, retentionDays: 31, currency: 'USD' });
    const old = Date.now() - 40 * DAY - ((Date.now() - 40 * DAY) % MINUTE);
    await insertMinutes(api, old, 3);
    expect(samplesOf((await history(`from=${old}&to=${old + 2 * MINUTE}`)).body.series)).toBe(3);

    await api.restart();
    alice = (await login(api, 'alice')).accessToken;
    // What was stored before the restart is all there (its minutes may have grown since).
    const after = (await history(`from=${stored.from}&to=${stored.to}`)).body;
    for (const bucket of stored.series) {
      const same = after.series.find((b) => b.t === bucket.t);
      expect(same?.samples).toBeGreaterThanOrEqual(bucket.samples);
    }
    expect(samplesOf(after.series)).toBeGreaterThanOrEqual(samplesOf(stored.series));
    // The restarted instance writes on, and has pruned the minutes older than 31 days.
    await eventually(
      async () => samplesOf((await history(`from=${startedBefore}`)).body.series),
      (n) => n > samplesOf(after.series) + 3,
      'ticks stored after the restart',
    );
    await eventually(
      async () => (await history(`from=${old}&to=${old + 2 * MINUTE}`)).body.series,
      (s) => s.length === 0,
      'the minutes past the retention to be pruned',
    );
  });

  it('answers a 30-day range in a bounded number of points, rolled up correctly', async () => {
    const end = Date.now() - 2 * 3_600_000 - ((Date.now() - 2 * 3_600_000) % (2 * 3_600_000));
    const start = end - 30 * DAY;
    await insertMinutes(api, start, (30 * DAY) / MINUTE);
    const res = await history(
      `from=${new Date(start).toISOString()}&to=${new Date(end - MINUTE).toISOString()}`,
    );
    expect(res.status).toBe(200);
    // No step asked: the smallest usual step that keeps the answer within 500 points.
    expect(res.body.step).toBe(2 * 3_600_000);
    expect(res.body.from).toBe(start);
    expect(res.body.series).toHaveLength(360);
    expect(samplesOf(res.body.series)).toBe(43_200);
    for (const b of res.body.series) {
      expect(b).toMatchObject({
        samples: 120,
        activeUsers: { avg: 4.5, min: 0, max: 9 },
        ordersPerMinute: { avg: 1, min: 1, max: 1 },
        revenue: { avg: 100, min: 100, max: 100 },
        systemStatus: 'operational',
      });
    }
    expect(res.body.series.map((b) => b.t)).toEqual(res.body.series.map((_, i) => start + i * 2 * 3_600_000));

    // An explicit step is honoured up to 1500 points; one that would return more is refused.
    const hourly = await history(`from=${start}&to=${end - MINUTE}&step=PT1H`);
    expect(hourly.status).toBe(200);
    expect(hourly.body.series).toHaveLength(720);
    expect(hourly.body.series[0]).toMatchObject({ samples: 60, activeUsers: { avg: 4.5 } });
    const perMinute = await history(`from=${start}&to=${end}&step=60000`);
    expect(perMinute.status).toBe(400);
    expect((perMinute.body as unknown as { message: string }).message).toMatch(/^step: .*at most 1500/);
  });

  it('refuses a bad range with a 400 naming the field', async () => {
    const now = Date.now();
    const cases: Array<[string, RegExp]> = [
      [`from=${now}&to=${now - 1}`, /^from: must not be after to/],
      ['from=2026-13-45', /^from: must be an ISO 8601 time or epoch milliseconds/],
      ['to=yesterday', /^to: must be an ISO 8601 time/],
      ['from=-5', /^from: /],
      ['step=30000', /^step: must be a whole number of minutes/],
      ['step=0', /^step: /],
      ['step=5m', /^step: must be milliseconds or an ISO 8601 duration/],
      ['from=0&to=1&step=1e9', /^step: /],
      ['from=0', /^from: the range is too long/],
      ['from=1&minutes=5', /^minutes: cannot be combined/],
      ['from=1&from=2', /^from: /],
    ];
    for (const [query, message] of cases) {
      const res = await history(query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body).toMatchObject({ statusCode: 400, message: expect.stringMatching(message) });
    }
    // ?minutes= keeps answering with the kept ticks, as before.
    const kept = await request(api, 'GET', '/api/dashboard/history?minutes=1', { token: alice });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ retentionMinutes: 15, points: expect.any(Array) });
    expect((await request(api, 'GET', `/api/dashboard/history?from=${now}`)).status).toBe(401);
  });
});
