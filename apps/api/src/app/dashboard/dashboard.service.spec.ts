import type { MessageEvent } from '@nestjs/common';

import type { DashboardMetrics } from '@realtime/contracts';

import { ShutdownSignal } from '../../common/shutdown-signal';
import { StreamHub } from '../../common/streams/stream-hub';
import { loadConfig } from '../../config/app-config';
import { InProcessEventBus } from '../../infra/event-bus/in-process-event-bus';
import { LocalLeaderElection } from '../../infra/shared-state/leader-election';
import { LocalTickLogs } from '../../infra/shared-state/tick-log';
import { PresenceService } from '../presence/presence.service';
import type { DashboardMetricsService } from './dashboard-metrics.service';
import { DashboardService } from './dashboard.service';

describe('DashboardService', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 10, 25, 9, 0, 0) }));
  afterEach(() => jest.useRealTimers());

  function setup() {
    const presence = new PresenceService();
    const bus = new InProcessEventBus();
    const make = () => ({ activeUsers: presence.activeUsers(), timestamp: Date.now() }) as DashboardMetrics;
    const metrics = { measure: jest.fn(async () => make()), current: jest.fn(make) };
    const config = loadConfig({ DASHBOARD_TICK_MS: '1000', HEARTBEAT_MS: '400', JWT_SECRET: 'x'.repeat(32) });
    const hub = new StreamHub({ heartbeatMs: config.heartbeatMs }, presence, new ShutdownSignal());
    const service = new DashboardService(
      metrics as unknown as DashboardMetricsService,
      presence,
      hub,
      bus,
      config,
      new LocalLeaderElection(),
      new LocalTickLogs(),
    );
    return { service, metrics, presence, bus };
  }

  it('computes and serializes each tick once, whatever the number of streams', async () => {
    const { service, metrics } = setup();
    await service.onApplicationBootstrap();
    expect(metrics.measure).toHaveBeenCalledTimes(1);
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const received: MessageEvent[][] = Array.from({ length: 50 }, () => []);
    const subs = received.map((got, i) =>
      service.stream({ id: (i % 5) + 1, tokenExp: exp }, undefined).subscribe((e) => got.push(e)),
    );
    const stringify = jest.spyOn(JSON, 'stringify');
    await jest.advanceTimersByTimeAsync(3000);
    expect(metrics.measure).toHaveBeenCalledTimes(4);
    expect(stringify).toHaveBeenCalledTimes(3);
    stringify.mockRestore();
    for (const got of received) {
      const ticks = got.filter((e) => e.type === 'metrics').slice(1);
      expect(ticks).toHaveLength(3);
      ticks.forEach((t, k) => expect(t).toBe(received[0].filter((e) => e.type === 'metrics')[k + 1]));
      expect(got.filter((e) => e.comment === 'heartbeat')).toHaveLength(7);
    }
    expect(service.connections()).toMatchObject({ dashboardStreams: 50, activeUsers: 5, userChannels: 5 });
    subs.forEach((s) => s.unsubscribe());
    expect(service.connections()).toMatchObject({ dashboardStreams: 0, activeUsers: 0, userChannels: 0 });
    service.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(5000);
    expect(metrics.measure).toHaveBeenCalledTimes(4);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('hands each published tick to its listeners; a failing listener stops neither the ticks nor the others', async () => {
    const { service, metrics } = setup();
    const seen: number[] = [];
    const failing = jest.fn(() => {
      throw new Error('rule evaluation failed');
    });
    const rejecting = jest.fn(async () => Promise.reject(new Error('database down')));
    service.onTickPublished(failing);
    service.onTickPublished(rejecting);
    const stop = service.onTickPublished((m) => seen.push(m.timestamp));
    await service.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(2000);
    expect(metrics.measure).toHaveBeenCalledTimes(3);
    expect(seen).toHaveLength(3);
    expect(failing).toHaveBeenCalledTimes(3);
    expect(rejecting).toHaveBeenCalledTimes(3);
    stop();
    await jest.advanceTimersByTimeAsync(1000);
    expect(seen).toHaveLength(3);
    expect(failing).toHaveBeenCalledTimes(4);
    service.onModuleDestroy();
  });

  it('skips a tick while the previous one is still measuring', async () => {
    const { service, metrics } = setup();
    await service.onApplicationBootstrap();
    let finish: (() => void) | undefined;
    metrics.measure.mockImplementationOnce(
      () => new Promise((resolve) => (finish = () => resolve({ timestamp: Date.now() } as DashboardMetrics))),
    );
    await jest.advanceTimersByTimeAsync(3000);
    expect(metrics.measure).toHaveBeenCalledTimes(2); // the slow one, and no pile-up behind it
    finish!();
    await jest.advanceTimersByTimeAsync(1000);
    expect(metrics.measure).toHaveBeenCalledTimes(3);
    service.onModuleDestroy();
  });

  it('ends a stream when its token expires and at shutdown, releasing presence', async () => {
    const { service, presence } = setup();
    await service.onApplicationBootstrap();
    const now = Math.floor(Date.now() / 1000);
    let expired = false;
    let shutDown = false;
    service.stream({ id: 1, tokenExp: now + 2 }, undefined).subscribe({ complete: () => (expired = true) });
    service
      .stream({ id: 2, tokenExp: now + 3600 }, undefined)
      .subscribe({ complete: () => (shutDown = true) });
    expect(presence.activeUsers()).toBe(2);
    await jest.advanceTimersByTimeAsync(2000);
    expect(expired).toBe(true);
    expect(presence.activeUsers()).toBe(1);
    service.onModuleDestroy();
    expect(shutDown).toBe(true);
    expect(presence.activeUsers()).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});
