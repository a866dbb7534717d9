import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type MessageEvent,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import type { Observable } from 'rxjs';

import {
  type DashboardConnectionsResponse,
  type DashboardHistoryResponse,
  type DashboardMetrics,
} from '@realtime/contracts';

import { StreamHub, type StreamUser } from '../../common/streams/stream-hub';
import type { StreamSource } from '../../common/streams/stream-source';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { EventBus } from '../../infra/event-bus/event-bus';
import { LeaderElection, type LeaderLease } from '../../infra/shared-state/leader-election';
import { TickLogs } from '../../infra/shared-state/tick-log';
import { PresenceService } from '../presence/presence.service';
import { DashboardFeed } from './dashboard-feed';
import { DashboardMetricsService } from './dashboard-metrics.service';

/** Most ticks kept whatever DASHBOARD_RETENTION_MIN says (a day at 1 s ticks). */
const MAX_KEPT_TICKS = 86_400;

/** Runs after a tick this instance published; may be async; its failure is logged, never the tick's. */
export type TickListener = (metrics: DashboardMetrics) => unknown;

/**
 * The dashboard's one tick source and its streams. Every DASHBOARD_TICK_MS the metrics are
 * computed once, serialized once and published on the bus; each stream only subscribes.
 * With Redis, one instance of the cluster publishes (the holder of a lease renewed every
 * tick), so every instance shows the same numbers under the same id.
 */
@Injectable()
export class DashboardService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger(DashboardService.name);
  readonly feed: DashboardFeed;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  /** The dashboard channel of the stream core. */
  private readonly source: StreamSource;

  /** The dashboard's channel, for a stream that carries it with others (`GET /api/stream`). */
  get streamSource(): StreamSource {
    return this.source;
  }
  /** The tick publisher's lease (a single instance always holds it). */
  private readonly lease: LeaderLease;
  private leading = false;
  /** Work done once per published tick, on the publishing instance only (history, alerts). */
  private readonly tickListeners = new Set<TickListener>();

  constructor(
    private readonly metrics: DashboardMetricsService,
    private readonly presence: PresenceService,
    private readonly hub: StreamHub,
    bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    leaders: LeaderElection,
    tickLogs: TickLogs,
  ) {
    const retentionMs = config.dashboardRetentionMin * 60_000;
    const capacity = Math.min(MAX_KEPT_TICKS, Math.ceil(retentionMs / config.dashboardTickMs) + 1);
    this.feed = new DashboardFeed(bus, {
      retentionMs,
      capacity,
      log: tickLogs.open('dashboard:ticks', retentionMs, capacity),
    });
    this.source = this.feed.source(
      () => this.metrics.current(),
      () => this.config.maxConnectionsPerUser,
    );
    // Three missed renewals (and a second) before another instance takes over: a slow tick
    // does not hand the lead around, a dead leader is replaced within a few ticks.
    this.lease = leaders.lease('dashboard:leader', this.feed.instanceId, 3 * config.dashboardTickMs + 1000);
  }

  /**
   * The shared log's ticks, then the first tick, are in the ring before the server listens, so
   * every stream has a resume base (on a restarted instance too).
   */
  async onApplicationBootstrap() {
    try {
      const restored = await this.feed.restore();
      if (restored) this.logger.log(`Restored ${restored} dashboard ticks from the shared log`);
    } catch (err) {
      this.logger.warn(`Dashboard ticks not restored (resume starts here): ${(err as Error).message}`);
    }
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.dashboardTickMs);
  }

  /**
   * Calls `listener` with every tick this instance publishes for the cluster (the lease holder
   * only), after it is published. Returns the unsubscribe.
   */
  onTickPublished(listener: TickListener): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  /** Whether this instance published the last dashboard tick (always, alone). */
  get publishingTicks(): boolean {
    return this.leading;
  }

  /** Hands the lead over at once instead of after the lease runs out. */
  async beforeApplicationShutdown() {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.leading) await this.lease.release().catch(() => undefined);
  }

  /** Streams still open (a module closed without the shutdown signal, in tests) end here. */
  onModuleDestroy() {
    clearInterval(this.timer);
    this.hub.endChannel(this.source);
    this.feed.close();
  }

  /**
   * A dashboard stream: the missed ticks or a snapshot first, then live. Throws a 429 (before
   * any stream byte) past MAX_CONNECTIONS_PER_USER open streams of this user.
   */
  stream(user: StreamUser, lastEventId: string | undefined): Observable<MessageEvent> {
    return this.hub.open(this.source, user, lastEventId);
  }

  snapshot(): Promise<DashboardMetrics> {
    return this.metrics.measure();
  }

  /** Pushes an annotation (serialized) to every open dashboard stream of the cluster. */
  publishAnnotation(data: string): Promise<void> {
    return this.feed.publishAnnotation(data);
  }

  /** A fresh snapshot, also pushed at once to this user's open streams (on every instance). */
  async refresh(userId: number): Promise<DashboardMetrics> {
    const metrics = await this.metrics.measure();
    await this.feed.publishToUser(userId, metrics);
    return metrics;
  }

  history(minutes: number): DashboardHistoryResponse {
    return { retentionMinutes: this.config.dashboardRetentionMin, points: this.feed.history(minutes) };
  }

  connections(): DashboardConnectionsResponse {
    return {
      dashboardStreams: this.hub.size(this.source),
      activeUsers: this.presence.activeUsers(),
      connections: {
        dashboard: this.presence.connections('dashboard'),
        notifications: this.presence.connections('notifications'),
        chat: this.presence.connections('chat'),
      },
      userChannels: this.feed.userChannels,
    };
  }

  /**
   * Whether this instance publishes the next tick: always alone; with Redis, while it holds
   * the lease. Redis unreachable: every instance ticks for its own clients (the bus delivers
   * locally meanwhile), and they agree on one leader again once it is back.
   */
  private async lead(): Promise<boolean> {
    let leading: boolean;
    try {
      leading = await this.lease.acquire();
    } catch {
      leading = true;
    }
    if (leading !== this.leading) {
      this.logger.log(leading ? 'publishing the dashboard ticks' : 'following the ticks of another instance');
    }
    this.leading = leading;
    return leading;
  }

  /** Each listener on its own: a failing or slow one neither stops the ticks nor the others. */
  private afterPublish(metrics: DashboardMetrics) {
    for (const listener of this.tickListeners) {
      void Promise.resolve()
        .then(() => listener(metrics))
        .catch((err: unknown) =>
          this.logger.error(`After a dashboard tick: ${(err as Error)?.message ?? err}`),
        );
    }
  }

  private async tick() {
    if (this.ticking) return; // a slow check skips a tick rather than piling them up
    this.ticking = true;
    try {
      // Every instance measures (its new streams open with fresh checks); one publishes, with
      // the cluster's users as of now.
      const leading = await this.lead();
      if (leading) await this.presence.sync();
      const metrics = await this.metrics.measure(true);
      if (leading && (await this.feed.publishTick(metrics))) this.afterPublish(metrics);
    } catch (err) {
      this.logger.error(`Dashboard tick failed: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }
}
