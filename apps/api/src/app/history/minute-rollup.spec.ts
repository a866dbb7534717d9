import type { DashboardMetrics } from '@realtime/contracts';

import { MinuteRollup, minuteOf } from './minute-rollup';

const tick = (timestamp: number, over: Partial<DashboardMetrics> = {}): DashboardMetrics => ({
  activeUsers: 1,
  ordersPerMinute: 2,
  revenue: 10,
  currency: 'USD',
  ordersToday: 3,
  systemStatus: 'operational',
  components: {},
  timestamp,
  ...over,
});

describe('MinuteRollup', () => {
  it('merges the ticks of one minute: sums, least, greatest, the worst status', () => {
    const r = new MinuteRollup();
    r.add(tick(120_000, { activeUsers: 4, ordersPerMinute: 1 }));
    r.add(tick(150_000, { activeUsers: 2, ordersPerMinute: 5, systemStatus: 'degraded' }));
    r.add(tick(179_999, { activeUsers: 3, ordersPerMinute: 0 }));
    r.add(tick(180_000, { activeUsers: 7 }));
    const [first, second] = r.take();
    expect(first).toMatchObject({
      minute: 120_000,
      samples: 3,
      active_users_sum: 9,
      active_users_min: 2,
      active_users_max: 4,
      orders_per_minute_sum: 6,
      orders_per_minute_min: 0,
      orders_per_minute_max: 5,
      status_worst: 1,
      updated_at: 179_999,
    });
    expect(second).toMatchObject({ minute: 180_000, samples: 1, active_users_sum: 7 });
    expect(r.size).toBe(0);
  });

  it('takes back deltas that could not be written, merged with newer ticks, the oldest dropped past a bound', () => {
    const r = new MinuteRollup();
    r.add(tick(0, { activeUsers: 5 }));
    r.add(tick(60_000));
    const failed = r.take();
    r.add(tick(30_000, { activeUsers: 1, systemStatus: 'down' }));
    r.add(tick(120_000));
    r.restore(failed, 2);
    const rows = r.take();
    expect(rows.map((x) => x.minute)).toEqual([60_000, 120_000]);
    r.restore([...failed]);
    r.add(tick(1, { activeUsers: 1, systemStatus: 'down' }));
    expect(r.take()[0]).toMatchObject({
      minute: 0,
      samples: 2,
      active_users_sum: 6,
      active_users_min: 1,
      status_worst: 2,
    });
  });

  it('puts a time into the minute it starts in', () => {
    expect(minuteOf(1_796_033_843_612)).toBe(1_796_033_820_000);
    expect(minuteOf(60_000)).toBe(60_000);
  });
});
