import type { Annotation } from './annotations';

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

/** The components that `systemStatus` is derived from. */
export type DashboardComponent = 'database' | 'redis' | 'eventLoop' | 'heap';

export interface DashboardMetrics {
  /** Distinct users with an open stream or socket right now. */
  activeUsers: number;
  /** Orders created in the last 60 seconds. */
  ordersPerMinute: number;
  /**
   * Sum of today's (UTC) orders, converted to `currency` with an indicative fixed rate table,
   * in major units (e.g. 12.5 = 12.50).
   */
  revenue: number;
  currency: string;
  /** Orders created today (UTC). */
  ordersToday: number;
  systemStatus: SystemStatus;
  components: Record<string, ComponentHealth>;
  /** Server time of the snapshot, epoch milliseconds. */
  timestamp: number;
}

export interface DashboardHistoryPoint {
  id: string;
  metrics: DashboardMetrics;
}

/** `GET /api/dashboard/history?minutes=N`: the kept ticks, oldest first. */
export interface DashboardHistoryResponse {
  /** How many minutes of ticks the server keeps (and accepts as `minutes`). */
  retentionMinutes: number;
  points: DashboardMetrics[];
}

/** Sent after the current snapshot when a `Last-Event-ID` cannot be resumed gap-free. */
export interface DashboardReset {
  /** `gap-too-old`: older than the kept window; `unknown-id`: newer than any id this server issued. */
  reason: 'gap-too-old' | 'unknown-id';
  message: string;
  lastEventId: string | null;
}

/** `GET /api/dashboard/connections`: what is open right now on this instance (for operators and tests). */
export interface DashboardConnectionsResponse {
  /** Open `GET /api/dashboard/stream` responses. */
  dashboardStreams: number;
  activeUsers: number;
  /** Open connections of every kind (dashboard, notifications, chat). */
  connections: Record<string, number>;
  /** Per-user refresh channels this instance listens to (one per user with an open dashboard stream). */
  userChannels: number;
}

/**
 * `annotation`: a mark for the charts (an alert firing or resolving, a deploy), pushed live to
 * every open dashboard stream; not replayed on resume (the history range returns them).
 */
export type DashboardEvent =
  | { type: 'metrics'; id: string; data: DashboardMetrics }
  | { type: 'reset'; id: string; data: DashboardReset }
  | { type: 'annotation'; id: string; data: Annotation };

export const DASHBOARD_EVENTS = { metrics: 'metrics', reset: 'reset', annotation: 'annotation' } as const;
/** The `retry:` (ms) a dashboard stream asks its client to wait before reconnecting. */
export const DASHBOARD_RETRY_MS = 3000;
