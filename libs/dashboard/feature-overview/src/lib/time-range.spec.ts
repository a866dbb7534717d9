import type { Annotation, DashboardMetrics } from '@realtime/contracts';

import { bucketToMetrics, mergeAnnotations, rangeMs, toCsv } from './time-range';

const point = (timestamp: number, v: number) =>
  ({
    activeUsers: v,
    ordersPerMinute: v * 2,
    revenue: v * 10.5,
    currency: 'USD',
    ordersToday: v,
    systemStatus: 'operational',
    components: {},
    timestamp,
  }) as DashboardMetrics;

describe('time range helpers', () => {
  it('knows the picker ranges', () => {
    expect(rangeMs('1h')).toBe(3_600_000);
    expect(rangeMs('30d')).toBe(30 * 86_400_000);
  });

  it('turns a stored bucket into a chart point of averages', () => {
    const summary = { avg: 1.5, min: 1, max: 2 };
    expect(
      bucketToMetrics(
        {
          t: 60_000,
          samples: 12,
          activeUsers: summary,
          ordersPerMinute: { avg: 3, min: 0, max: 6 },
          revenue: summary,
          ordersToday: summary,
          systemStatus: 'degraded',
        },
        'EUR',
      ),
    ).toMatchObject({
      timestamp: 60_000,
      activeUsers: 1.5,
      ordersPerMinute: 3,
      currency: 'EUR',
      systemStatus: 'degraded',
    });
  });

  it('merges annotations by id in time order', () => {
    const a = (id: number, time: number) => ({ id, time, kind: 'note', text: `n${id}` }) as Annotation;
    expect(mergeAnnotations([a(2, 20), a(1, 10)], [a(3, 15), a(2, 20)]).map((x) => x.id)).toEqual([1, 3, 2]);
    expect(mergeAnnotations([a(1, 10), a(2, 20)], [a(3, 30)], 2).map((x) => x.id)).toEqual([2, 3]);
  });

  it('exports the visible points as CSV with exact values', () => {
    const csv = toCsv([point(0, 1), point(60_000, 2), point(120_000, 3)], 60_000, 120_000);
    expect(csv.split('\r\n')).toEqual([
      'time,activeUsers,ordersPerMinute,revenue,currency,ordersToday,systemStatus',
      '1970-01-01T00:01:00.000Z,2,4,21,USD,2,operational',
      '1970-01-01T00:02:00.000Z,3,6,31.5,USD,3,operational',
      '',
    ]);
  });
});
