import type Redis from 'ioredis';

import type { LoggedTick, TickLog } from '../shared-state/tick-log';

/**
 * The cluster's shared record of recent ticks, a Redis Stream whose entry ids are the tick ids
 * (epoch milliseconds, `<id>-0`) trimmed to the retention window (`MINID ~`). The leader
 * appends each tick before publishing it; an instance that starts reads it into its ring, so
 * a client that resumes on a restarted or new instance gets exactly the ticks it missed.
 * Redis refuses an id at or below the newest entry, so a second publisher (a leader that has
 * not noticed losing its lease) cannot put an older tick into the log.
 */
export class RedisTickLog implements TickLog {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly retentionMs: number,
    private readonly capacity: number,
  ) {}

  /** Appends one tick; false when Redis refuses it as older than the newest entry. */
  async append(tick: LoggedTick, now = Date.now()): Promise<boolean> {
    try {
      await this.redis.xadd(
        this.key,
        'MINID',
        '~',
        String(Math.max(0, Math.floor(now - this.retentionMs))),
        `${tick.id}-0`,
        'd',
        tick.data,
      );
      return true;
    } catch (err) {
      if (/equal or smaller/i.test((err as Error).message)) return false;
      throw err;
    }
  }

  /** The kept ticks of the retention window, oldest first (at most `capacity`). */
  async recent(now = Date.now()): Promise<LoggedTick[]> {
    const entries = await this.redis.xrange(
      this.key,
      String(Math.max(0, Math.floor(now - this.retentionMs))),
      '+',
    );
    const ticks: LoggedTick[] = [];
    for (const [entryId, fields] of entries) {
      const id = Number(entryId.split('-')[0]);
      const at = fields.indexOf('d');
      if (Number.isSafeInteger(id) && at >= 0 && at % 2 === 0) ticks.push({ id, data: fields[at + 1] });
    }
    return ticks.slice(-this.capacity);
  }
}
