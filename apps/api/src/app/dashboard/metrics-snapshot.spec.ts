import { buildMetrics } from './metrics-snapshot';
import { OrderStats } from './order-stats';

describe('buildMetrics', () => {
  const now = Date.UTC(2026, 10, 25, 10, 0, 0);

  it('puts the counters, the currency and the latest checks in one object', () => {
    const stats = new OrderStats();
    stats.record(now - 70_000, 1000, 'USD'); // today, but more than a minute ago
    stats.record(now - 1000, 250, 'USD');
    const metrics = buildMetrics({
      now,
      activeUsers: 2,
      stats,
      currency: 'USD',
      check: {
        systemStatus: 'degraded',
        components: { heap: { state: 'degraded', value: 2048, unit: 'MB', threshold: 1024 } },
      },
    });
    expect(metrics).toEqual({
      activeUsers: 2,
      ordersPerMinute: 1,
      revenue: 12.5,
      currency: 'USD',
      ordersToday: 2,
      systemStatus: 'degraded',
      components: { heap: { state: 'degraded', value: 2048, unit: 'MB', threshold: 1024 } },
      timestamp: now,
    });
  });

  it('reports an empty day as zeros', () => {
    const metrics = buildMetrics({
      now,
      activeUsers: 0,
      stats: new OrderStats(),
      currency: 'EUR',
      check: undefined,
    });
    expect(metrics).toMatchObject({
      ordersPerMinute: 0,
      revenue: 0,
      ordersToday: 0,
      systemStatus: 'operational',
    });
  });
});
