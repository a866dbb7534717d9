import type { Currency, DashboardMetrics } from '@realtime/contracts';

import type { OrderStats } from './order-stats';
import { deriveStatus } from './system-status';
import type { SystemCheck } from './system-health.service';

export interface SnapshotInputs {
  now: number;
  activeUsers: number;
  stats: OrderStats;
  currency: Currency;
  /** The latest system checks; before the first one the status is derived from none. */
  check: SystemCheck | undefined;
}

/** One metrics object from what is known at `now`: no I/O, so it is cheap to call. */
export function buildMetrics({ now, activeUsers, stats, currency, check }: SnapshotInputs): DashboardMetrics {
  const components = check?.components ?? {};
  return {
    activeUsers,
    ordersPerMinute: stats.ordersPerMinute(now),
    revenue: stats.revenueToday(now, currency),
    currency,
    ordersToday: stats.ordersToday(now),
    systemStatus: check?.systemStatus ?? deriveStatus(components),
    components,
    timestamp: now,
  };
}
