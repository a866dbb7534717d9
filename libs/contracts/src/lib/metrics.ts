export type SystemStatus = 'operational' | 'degraded' | 'down';
export type ComponentState = 'ok' | 'degraded' | 'down' | 'disabled';

export interface ComponentHealth {
  state: ComponentState;
  /** The measured value (ms, MB, % …); `null` when the check did not run. */
  value: number | null;
  unit?: string;
  threshold?: number;
  detail?: string;
}

export interface DashboardMetrics {
  activeUsers: number;
  ordersPerMinute: number;
  /** Sum of today's (UTC) orders, in `currency`, in major units (e.g. 12.5 = 12.50). */
  revenue: number;
  currency: string;
  systemStatus: SystemStatus;
  components: Record<string, ComponentHealth>;
  /** Server time of the snapshot, epoch milliseconds. */
  timestamp: number;
}

export interface DashboardHistoryPoint {
  id: string;
  metrics: DashboardMetrics;
}

export interface DashboardHistoryResponse {
  /** The oldest minute the server still keeps. */
  retentionMinutes: number;
  points: DashboardMetrics[];
}

/** Sent instead of the missed ticks when a `Last-Event-ID` is older than the kept window. */
export interface DashboardReset {
  reason: 'gap-too-old' | 'unknown-id';
  message: string;
  lastEventId: string | null;
}

export type DashboardEvent =
  | { type: 'metrics'; id: string; data: DashboardMetrics }
  | { type: 'reset'; id: string; data: DashboardReset };
