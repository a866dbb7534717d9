/**
 * The operations page: every instance of the cluster reports a small status record every
 * INSTANCE_STATUS_MS through the event bus; `GET /api/ops/instances` (admins) answers the
 * records each instance has heard lately, its own included.
 */
export interface InstanceStatus {
  /** The id `GET /api/health` and the metrics (`instance_id`) name this instance by. */
  instanceId: string;
  version: string;
  /** ISO 8601. */
  startedAt: string;
  uptimeS: number;
  /** Whether it publishes the dashboard ticks for the cluster (the lease holder) or follows. */
  ticks: 'publishing' | 'following';
  connections: { dashboard: number; notifications: number; chat: number; total: number };
  /** Distinct users connected to this instance. */
  usersHere: number;
  redis: 'up' | 'down' | 'disabled';
  database: 'up' | 'down';
  /** p99 of the event-loop delay since the previous report, milliseconds. */
  eventLoopDelayMs: number;
  heapUsedMb: number;
  /** When the instance sent this record, ISO 8601 (its own clock). */
  reportedAt: string;
}

export interface InstancesResponse {
  /** The instance that answered. */
  self: string;
  /** How often each instance reports, milliseconds: a record older than three periods is dropped. */
  reportEveryMs: number;
  /** Sorted by `instanceId`. */
  instances: InstanceStatus[];
}
