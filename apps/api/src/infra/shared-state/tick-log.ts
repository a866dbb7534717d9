export interface LoggedTick {
  id: number;
  /** The metrics JSON as published. */
  data: string;
}

/** A cluster's shared record of recent ticks, so that an instance that starts can resume clients. */
export interface TickLog {
  /** Appends one tick; false when the log refuses it as older than its newest entry. */
  append(tick: LoggedTick, now?: number): Promise<boolean>;
  /** The kept ticks of the retention window, oldest first. */
  recent(now?: number): Promise<LoggedTick[]>;
}

/** Opens tick logs: a Redis stream shared by the cluster, or nothing beyond this process. */
export abstract class TickLogs {
  abstract open(key: string, retentionMs: number, capacity: number): TickLog;
}

/**
 * A single instance's log is its own ring of ticks: nothing to append to, nothing to restore
 * after a restart (older ids then get a `reset`).
 */
export class LocalTickLogs extends TickLogs {
  open(): TickLog {
    return { append: async () => true, recent: async () => [] };
  }
}
