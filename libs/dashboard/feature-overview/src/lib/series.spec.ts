import type { DashboardMetrics } from '@realtime/contracts';

import {
  MAX_CHART_POINTS,
  estimateTickMs,
  foldStepMs,
  mergeMetrics,
  valueAgo,
  weightOf,
  withWeight,
} from './series';

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

describe('mergeMetrics with a step (folding live ticks)', () => {
  it('folds a point into the step of another: weighted averages, worst status, the earlier time', () => {
    const stored = withWeight(m(60_000, 10), 3); // a stored bucket of 3 ticks
    const live = { ...m(90_000, 30), systemStatus: 'degraded' as const };
    const merged = mergeMetrics([stored], [live], 30 * 86_400_000, 60_000);
    expect(merged).toHaveLength(1);
    expect(merged[0].timestamp).toBe(60_000);
    expect(merged[0].ordersPerMinute).toBe(15); // (10·3 + 30·1) / 4
    expect(merged[0].systemStatus).toBe('degraded');
    expect(weightOf(merged[0])).toBe(4);
    // The next step starts a new point.
    expect(mergeMetrics(merged, [m(120_000, 1)], 30 * 86_400_000, 60_000).map((p) => p.timestamp)).toEqual([
      60_000, 120_000,
    ]);
  });

  it('keeps a 30-day range bounded however many 5 s ticks arrive', () => {
    const range = 30 * 86_400_000;
    const step = foldStepMs(range, 7_200_000);
    let points: ReturnType<typeof mergeMetrics> = [];
    const ticks = 20_000; // 27.8 hours of 5 s ticks
    for (let i = 0; i < ticks; i++) points = mergeMetrics(points, [m(i * 5000, i % 7)], range, step);
    expect(points.length).toBe(Math.floor(((ticks - 1) * 5000) / step) + 1);
    expect(points.length).toBeLessThan(20);
    // Each point is the mean of its step's ticks.
    const first = Array.from({ length: step / 5000 }, (_, i) => i % 7);
    expect(points[0].ordersPerMinute).toBeCloseTo(first.reduce((a, b) => a + b, 0) / first.length, 9);
  });

  it('keeps the 15-minute range at most MAX_CHART_POINTS + 1 points even with fast ticks', () => {
    const range = 15 * 60_000;
    const step = foldStepMs(range, 0);
    let points: ReturnType<typeof mergeMetrics> = [];
    let most = 0;
    for (let i = 0; i < 20_000; i++) {
      points = mergeMetrics(points, [m(i * 50)], range, step); // 50 ms ticks for 16.7 minutes
      most = Math.max(most, points.length);
    }
    expect(most).toBeLessThanOrEqual(MAX_CHART_POINTS + 1);
    expect(points[points.length - 1].timestamp).toBeGreaterThanOrEqual(19_999 * 50 - step);
    // At the usual 5 s tick nothing is folded, on 15 min nor on 1 h: every tick of the window is a point.
    expect(step).toBeLessThan(5000);
    expect(foldStepMs(3_600_000, 60_000)).toBeLessThan(5000);
  });

  it('drops whole steps that fall out of a long range', () => {
    const day = 86_400_000;
    const step = foldStepMs(30 * day, 7_200_000);
    let points: ReturnType<typeof mergeMetrics> = [];
    for (let t = 0; t <= 40 * day; t += 600_000) points = mergeMetrics(points, [m(t)], 30 * day, step);
    expect(points.length).toBeLessThanOrEqual((30 * day) / step + 1);
    expect(points[0].timestamp).toBeGreaterThanOrEqual(10 * day - step);
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
