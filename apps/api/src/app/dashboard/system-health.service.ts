import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';

import type { ComponentHealth, SystemStatus } from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, ping } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';
import { againstThreshold, deriveStatus, round1 } from './system-status';

/** A database ping slower than this counts as degraded. */
export const DATABASE_LATENCY_THRESHOLD_MS = 1000;
/** A ping that has not answered by then counts as down, so a hung database cannot stall the ticks. */
const DATABASE_PING_TIMEOUT_MS = 3000;

export interface SystemCheck {
  systemStatus: SystemStatus;
  components: Record<string, ComponentHealth>;
}

/** The real checks behind `systemStatus`: database, Redis (when used), event loop and heap. */
@Injectable()
export class SystemHealthService implements OnModuleDestroy {
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private windowStarted = false;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loopDelay.enable();
  }

  onModuleDestroy() {
    this.loopDelay.disable();
  }

  /**
   * Runs every check. `newWindow` starts a new event-loop measuring window (the ticker
   * passes it, so each tick reports the p99 since the previous one).
   */
  async check(newWindow = false): Promise<SystemCheck> {
    const components: Record<string, ComponentHealth> = {
      database: await this.checkDatabase(),
      redis:
        this.bus.kind === 'redis'
          ? { state: this.bus.connected ? 'ok' : 'down', value: null, detail: 'event bus' }
          : { state: 'disabled', value: null, detail: 'REDIS_URL unset: in-process event bus' },
      eventLoop: this.checkEventLoop(newWindow),
      heap: againstThreshold(
        round1(process.memoryUsage().heapUsed / 1024 / 1024),
        this.config.thresholds.heapUsedMb,
        'MB',
      ),
    };
    return { systemStatus: deriveStatus(components), components };
  }

  private async checkDatabase(): Promise<ComponentHealth> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ping(this.database.db),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer in time')), DATABASE_PING_TIMEOUT_MS);
        }),
      ]);
      const latency = round1(performance.now() - started);
      return {
        ...againstThreshold(latency, DATABASE_LATENCY_THRESHOLD_MS, 'ms'),
        detail: this.database.dialect,
      };
    } catch (err) {
      return {
        state: 'down',
        value: null,
        unit: 'ms',
        detail: `${this.database.dialect}: ${(err as Error).message}`,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private checkEventLoop(newWindow: boolean): ComponentHealth {
    // Start-up (migrations, seeding, bcrypt) blocks the loop by design: not a symptom, so
    // the first window starts with the first tick.
    if (newWindow && !this.windowStarted) {
      this.windowStarted = true;
      this.loopDelay.reset();
    }
    const p99 = this.loopDelay.percentile(99) / 1e6;
    if (newWindow) this.loopDelay.reset();
    const health = againstThreshold(
      Number.isFinite(p99) ? round1(p99) : 0,
      this.config.thresholds.eventLoopDelayMs,
      'ms',
    );
    return { ...health, detail: 'p99 delay' };
  }
}
