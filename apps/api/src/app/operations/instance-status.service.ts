import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Subscription } from 'rxjs';

import type { InstanceStatus, InstancesResponse } from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, ping } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';
import { DashboardService } from '../dashboard/dashboard.service';
import { PresenceService } from '../presence/presence.service';

/** Every instance's status records; with Redis every instance hears every other. */
export const INSTANCES_CHANNEL = 'ops:instances';
/** A database ping that has not answered by then counts as down. */
const PING_TIMEOUT_MS = 2000;

/** On the bus: a status record, or the goodbye of an instance that shuts down. */
type InstanceMessage = { status: InstanceStatus } | { left: string };

/** Told the whole list after each change (a record that differs, a goodbye, an expiry). */
export type InstancesListener = (instances: InstancesResponse) => void;

/**
 * The cluster as the operations page shows it: this instance publishes its status every
 * INSTANCE_STATUS_MS on the bus, and keeps the latest record of every instance it hears (its
 * own included) until it is three periods old or its instance says goodbye. Nothing is stored:
 * a starting instance knows the others after one period.
 */
@Injectable()
export class InstanceStatusService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy
{
  private readonly logger = new Logger(InstanceStatusService.name);
  private readonly startedAt = new Date();
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  /** The latest record of each instance, its arrival time, and its JSON (to see a change). */
  private readonly heard = new Map<string, { status: InstanceStatus; at: number; json: string }>();
  private readonly listeners = new Set<InstancesListener>();
  private readonly subscription: Subscription;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly presence: PresenceService,
    private readonly dashboard: DashboardService,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loopDelay.enable();
    this.subscription = bus.channel(INSTANCES_CHANNEL).subscribe((m) => this.receive(m));
  }

  async onApplicationBootstrap() {
    await this.report();
    this.timer = setInterval(() => void this.report(), this.config.instanceStatusMs);
    this.timer.unref();
  }

  /** Tells the others at once, so the page drops this instance without waiting for its records to age. */
  async beforeApplicationShutdown() {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    const goodbye: InstanceMessage = { left: this.presence.instanceId };
    await this.bus.publish(INSTANCES_CHANNEL, JSON.stringify(goodbye)).catch(() => undefined);
  }

  onModuleDestroy() {
    clearInterval(this.timer);
    this.loopDelay.disable();
    this.subscription.unsubscribe();
    this.listeners.clear();
  }

  /**
   * Calls `listener` with the whole list whenever it changes: a record that differs from the
   * last one of its instance, an instance that says goodbye or goes silent. Returns the
   * unsubscribe. The ops stream channel is the one listener, whatever its number of streams.
   */
  onChange(listener: InstancesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  instances(now = Date.now()): InstancesResponse {
    if (this.expire(now)) this.changed();
    return this.list();
  }

  /** Forgets the instances silent for three periods and a second; whether any was. */
  private expire(now: number): boolean {
    const maxAge = 3 * this.config.instanceStatusMs + 1000;
    let dropped = false;
    for (const [id, record] of this.heard)
      if (now - record.at > maxAge) {
        this.heard.delete(id);
        dropped = true;
      }
    return dropped;
  }

  private list(): InstancesResponse {
    return {
      self: this.presence.instanceId,
      reportEveryMs: this.config.instanceStatusMs,
      instances: [...this.heard.values()]
        .map((r) => r.status)
        .sort((a, b) => a.instanceId.localeCompare(b.instanceId)),
    };
  }

  /** This instance's status now; starts a new event-loop window. */
  async status(): Promise<InstanceStatus> {
    const eventLoopDelayMs = Math.round(this.loopDelay.percentile(99) / 1e4) / 100;
    this.loopDelay.reset();
    const connections = {
      dashboard: this.presence.connections('dashboard'),
      notifications: this.presence.connections('notifications'),
      chat: this.presence.connections('chat'),
      total: this.presence.connections(),
    };
    return {
      instanceId: this.presence.instanceId,
      version: this.config.version,
      startedAt: this.startedAt.toISOString(),
      uptimeS: Math.round(process.uptime()),
      ticks: this.dashboard.publishingTicks ? 'publishing' : 'following',
      connections,
      usersHere: this.presence.localUsers(),
      redis: this.bus.kind === 'redis' ? (this.bus.connected ? 'up' : 'down') : 'disabled',
      database: (await this.databaseUp()) ? 'up' : 'down',
      eventLoopDelayMs,
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
      reportedAt: new Date().toISOString(),
    };
  }

  private async report() {
    try {
      const status = await this.status();
      // Kept at once: without Redis (or with it down) the bus still delivers it here.
      const expired = this.expire(Date.now());
      if (!this.keep(status) && expired) this.changed();
      const message: InstanceMessage = { status };
      await this.bus.publish(INSTANCES_CHANNEL, JSON.stringify(message));
    } catch (err) {
      this.logger.warn(`instance status not published: ${(err as Error).message}`);
    }
  }

  private receive(raw: string) {
    let message: InstanceMessage;
    try {
      message = JSON.parse(raw) as InstanceMessage;
    } catch {
      return;
    }
    if (!message || typeof message !== 'object') return;
    if ('left' in message) {
      if (this.heard.delete(message.left)) this.changed();
    } else if (message.status && typeof message.status.instanceId === 'string') {
      this.keep(message.status);
    }
  }

  /** Keeps a record; tells the listeners (and returns true) when it differs from the last one. */
  private keep(status: InstanceStatus): boolean {
    const json = JSON.stringify(status);
    const before = this.heard.get(status.instanceId);
    this.heard.set(status.instanceId, { status, at: Date.now(), json });
    if (before?.json === json) return false;
    this.changed();
    return true;
  }

  private changed() {
    if (this.listeners.size === 0) return;
    const list = this.list();
    for (const listener of this.listeners) listener(list);
  }

  private async databaseUp(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ping(this.database.db),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
