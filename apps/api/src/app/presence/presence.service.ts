import { randomBytes } from 'node:crypto';

import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
  Optional,
} from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Metrics } from '../../infra/metrics/metrics';
import { LocalPresenceRegistry, PresenceRegistry } from '../../infra/shared-state/presence-registry';

export type ConnectionKind = 'dashboard' | 'notifications' | 'chat';

/**
 * Who is connected right now: every open SSE stream and chat socket registers here and
 * releases on close. `activeUsers` counts distinct users: with Redis, of the whole cluster
 * (this instance's users now, the others' as of the last exchange, every third of
 * PRESENCE_TTL_MS and at once when a user comes or goes here); connection counts stay local.
 */
@Injectable()
export class PresenceService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  private readonly perUser = new Map<number, number>();
  private readonly perKind = new Map<ConnectionKind, number>();
  readonly instanceId = randomBytes(6).toString('hex');
  private readonly registry: PresenceRegistry;
  private readonly ttlMs: number;
  /** The other live instances' users as of `remoteAt` (this process's clock). */
  private remote = new Map<string, number[]>();
  private remoteAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private scheduled = false;
  private failing = false;

  constructor(
    @Optional() registry?: PresenceRegistry,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
    @Optional() private readonly metrics?: Metrics,
  ) {
    metrics?.identify(this.instanceId);
    this.registry = registry ?? new LocalPresenceRegistry();
    this.ttlMs = config?.presenceTtlMs ?? 6000;
  }

  onModuleInit() {
    void this.sync();
    this.timer = setInterval(() => void this.sync(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Leaves the registry at once, so the other instances stop counting this one's users. */
  async beforeApplicationShutdown() {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.registry.leave(this.instanceId).catch(() => undefined);
  }

  /** Registers one connection; call the returned function exactly once when it closes. */
  track(userId: number, kind: ConnectionKind): () => void {
    const before = this.perUser.get(userId) ?? 0;
    this.perUser.set(userId, before + 1);
    this.perKind.set(kind, (this.perKind.get(kind) ?? 0) + 1);
    this.metrics?.connectionOpened(kind);
    if (before === 0) this.changed();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else {
        this.perUser.delete(userId);
        this.changed();
      }
      this.perKind.set(kind, (this.perKind.get(kind) ?? 1) - 1);
      this.metrics?.connectionClosed(kind);
    };
  }

  /**
   * Distinct users with an open stream or socket: this instance's plus, with Redis, the other
   * live instances'. While Redis is unreachable the others' users count until their TTL would
   * have run out, then only this instance's.
   */
  activeUsers(): number {
    if (Date.now() - this.remoteAt > this.ttlMs || this.remote.size === 0) {
      return this.perUser.size;
    }
    const users = new Set(this.perUser.keys());
    for (const ids of this.remote.values()) for (const id of ids) users.add(id);
    return users.size;
  }

  /** Distinct users connected to this instance. */
  localUsers(): number {
    return this.perUser.size;
  }

  connectionsOf(userId: number): number {
    return this.perUser.get(userId) ?? 0;
  }

  connections(kind?: ConnectionKind): number {
    if (kind) return this.perKind.get(kind) ?? 0;
    let total = 0;
    for (const n of this.perKind.values()) total += n;
    return total;
  }

  /**
   * Publishes this instance's users and reads the others' (the dashboard leader calls it right
   * before a tick). Never rejects: without Redis the numbers fall back to this instance.
   * Calls made while one runs are folded into one more run after it.
   */
  sync(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.exchange();
      } while (this.again);
    };
    this.inFlight = run().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async exchange() {
    try {
      this.remote = await this.registry.exchange(this.instanceId, [...this.perUser.keys()], this.ttlMs);
      this.remoteAt = Date.now();
      if (this.failing) this.logger.log('presence shared through Redis again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) {
        this.logger.warn(`presence not shared (counting this instance only): ${(err as Error).message}`);
      }
      this.failing = true;
    }
  }

  /** A user came or went here: tell the others soon (once per turn of the event loop). */
  private changed() {
    if (this.scheduled || !this.timer) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.sync();
    });
  }
}
