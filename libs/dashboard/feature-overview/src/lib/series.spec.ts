import type { DashboardMetrics } from '@realtime/contracts';

import { estimateTickMs, mergeMetrics, valueAgo } from './series';

const m = (timestamp: number, ordersPerMinute = 1): DashboardMetrics => ({
  activeUsers: 1,
  ordersPerMinute,
  revenue: 0,
  currency: 'USD',
  systemStatus: 'operational',
  components: {},
  timestamp,
});

describe('mergeMetrics', () => {
  it('keeps one point per timestamp, in order, the newer copy winning', () => {
    const merged = mergeMetrics([m(1000), m(3000)], [m(2000), m(3000, 9)]);
    expect(merged.map((p) => [p.timestamp, p.ordersPerMinute])).toEqual([
      [1000, 1],
      [2000, 1],
      [3000, 9],
    ]);
  });

  it('backfills a gap from history without duplicating the live points', () => {
    const live = [m(0), m(5000), m(30_000)];
    const history = [0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000].map((t) => m(t));
    expect(mergeMetrics(live, history).map((p) => p.timestamp)).toEqual([
      0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000,
    ]);
  });

  it('drops points older than the window before the newest', () => {
    const merged = mergeMetrics([m(0), m(60_000)], [m(16 * 60_000)], 15 * 60_000);
    expect(merged.map((p) => p.timestamp)).toEqual([60_000, 16 * 60_000]);
  });

  it('returns the same array when nothing arrives', () => {
    const points = [m(1)];
    expect(mergeMetrics(points, [])).toBe(points);
  });
});

describe('estimateTickMs', () => {
  it('uses the median gap, so refresh points do not shorten it', () => {
    const points = [0, 5000, 6000, 10_000, 15_000, 20_000].map((t) => m(t));
    expect(estimateTickMs(points)).toBe(5000);
  });

  it('falls back until there are enough points', () => {
    expect(estimateTickMs([m(0), m(1000)], 5000)).toBe(5000);
  });
});

describe('valueAgo', () => {
  it('finds the value about N ms before the newest point', () => {
    const points = [0, 60_000, 120_000, 360_000].map((t, i) => m(t, i));
    expect(valueAgo(points, 300_000, (p) => p.ordersPerMinute)).toBe(1);
    expect(valueAgo(points, 400_000, (p) => p.ordersPerMinute)).toBeNull();
    expect(valueAgo([], 1, (p) => p.ordersPerMinute)).toBeNull();
  });
});
