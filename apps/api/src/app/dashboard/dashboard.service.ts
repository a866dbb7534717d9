import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  type MessageEvent,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { EMPTY, type Observable, Subject, takeUntil } from 'rxjs';

import {
  DASHBOARD_RETRY_MS,
  type DashboardConnectionsResponse,
  type DashboardHistoryResponse,
  type DashboardMetrics,
} from '@realtime/contracts';

import { sseStream, streamsShutdown$ } from '../../common/sse';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { EventBus } from '../../infra/event-bus/event-bus';
import { PresenceService } from '../presence/presence.service';
import { DashboardFeed } from './dashboard-feed';
import { DashboardMetricsService } from './dashboard-metrics.service';

/** Most ticks kept whatever DASHBOARD_RETENTION_MIN says (a day at 1 s ticks). */
const MAX_KEPT_TICKS = 86_400;

export interface StreamUser {
  id: number;
  tokenExp: number;
}

/**
 * The dashboard's one tick source and its streams. Every DASHBOARD_TICK_MS the metrics are
 * computed once, serialized once and published on the bus; each stream only subscribes.
 */
@Injectable()
export class DashboardService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DashboardService.name);
  readonly feed: DashboardFeed;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private openStreams = 0;
  private readonly streamsPerUser = new Map<number, number>();
  private closed = false;
  /** Fires at shutdown: open streams end, so the HTTP server can close instead of waiting on them. */
  private readonly closing$ = new Subject<void>();

  constructor(
    private readonly metrics: DashboardMetricsService,
    private readonly presence: PresenceService,
    bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const retentionMs = config.dashboardRetentionMin * 60_000;
    this.feed = new DashboardFeed(bus, {
      retentionMs,
      capacity: Math.min(MAX_KEPT_TICKS, Math.ceil(retentionMs / config.dashboardTickMs) + 1),
      followMs: 3 * config.dashboardTickMs + 1000,
    });
  }

  /** The first tick is in the ring before the server listens, so every stream has a resume base. */
  async onApplicationBootstrap() {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.dashboardTickMs);
  }

  onModuleDestroy() {
    clearInterval(this.timer);
    // The shared signal first, so that each stream ends with its `retry:` goodbye.
    this.closed = true;
    streamsShutdown$.next();
    this.closing$.next();
    this.closing$.complete();
    this.feed.close();
  }

  /** Throws a 429 (before any stream byte) past MAX_CONNECTIONS_PER_USER open streams. */
  stream(user: StreamUser, lastEventId: string | undefined): Observable<MessageEvent> {
    // Opened during a shutdown: ends at once, and the client comes back after its `retry:`
    // (an error status would make an EventSource give up).
    if (this.closed) return EMPTY;
    const max = this.config.maxConnectionsPerUser;
    if ((this.streamsPerUser.get(user.id) ?? 0) >= max) {
      throw new HttpException(
        `Too many open dashboard streams for this user (at most ${max}): close one before opening another`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    return sseStream(
      this.feed.stream(user.id, lastEventId, () => this.metrics.current()),
      {
        heartbeatMs: this.config.heartbeatMs,
        retryMs: DASHBOARD_RETRY_MS,
        expiresAt: user.tokenExp,
        // Registered before the first event is built, so the opening snapshot counts this user.
        onOpen: () => {
          const release = this.presence.track(user.id, 'dashboard');
          this.openStreams++;
          this.streamsPerUser.set(user.id, (this.streamsPerUser.get(user.id) ?? 0) + 1);
          return () => {
            this.openStreams--;
            const left = (this.streamsPerUser.get(user.id) ?? 1) - 1;
            if (left > 0) this.streamsPerUser.set(user.id, left);
            else this.streamsPerUser.delete(user.id);
            release();
          };
        },
      },
    ).pipe(takeUntil(this.closing$));
  }

  snapshot(): Promise<DashboardMetrics> {
    return this.metrics.measure();
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
      dashboardStreams: this.openStreams,
      activeUsers: this.presence.activeUsers(),
      connections: {
        dashboard: this.presence.connections('dashboard'),
        notifications: this.presence.connections('notifications'),
        chat: this.presence.connections('chat'),
      },
      userChannels: this.feed.userChannels,
    };
  }

  private async tick() {
    if (this.ticking) return; // a slow check skips a tick rather than piling them up
    this.ticking = true;
    try {
      // Every instance measures (its new streams open with fresh checks); one publishes.
      const metrics = await this.metrics.measure(true);
      if (this.feed.leading) await this.feed.publishTick(metrics);
    } catch (err) {
      this.logger.error(`Dashboard tick failed: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }
}
