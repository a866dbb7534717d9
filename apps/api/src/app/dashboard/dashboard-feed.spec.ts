import type { MessageEvent } from '@nestjs/common';
import type { Subscription } from 'rxjs';

import type { DashboardMetrics } from '@realtime/contracts';

import { InProcessEventBus } from '../../infra/event-bus/in-process-event-bus';
import { DashboardFeed } from './dashboard-feed';
import type { LoggedTick, TickLog } from '../../infra/shared-state/tick-log';

const START = 1_800_000_000_000;

function setup(retentionMs = 60_000) {
  const bus = new InProcessEventBus();
  let now = START;
  const feed = new DashboardFeed(bus, { retentionMs, capacity: 10_000, clock: () => now });
  const metrics = (n: number) => ({ activeUsers: n, timestamp: now }) as unknown as DashboardMetrics;
  const snapshot = jest.fn(() => metrics(-1));
  const tickAt = async (at: number, n: number) => {
    now = at;
    await feed.publishTick(metrics(n));
  };
  const open = (userId: number, lastEventId?: string) => {
    const got: MessageEvent[] = [];
    const sub = feed.stream(userId, lastEventId, snapshot).subscribe((e) => got.push(e));
    return { got, sub };
  };
  return { bus, feed, snapshot, tickAt, open, setNow: (t: number) => (now = t) };
}

const ids = (events: MessageEvent[]) => events.map((e) => Number(e.id));
const types = (events: MessageEvent[]) => events.map((e) => e.type);
const payload = (e: MessageEvent) => JSON.parse(e.data as string);

describe('DashboardFeed', () => {
  let subs: Subscription[] = [];
  afterEach(() => {
    subs.forEach((s) => s.unsubscribe());
    subs = [];
  });

  it('opens with the current snapshot, then every tick, sharing one serialized event', async () => {
    const { tickAt, open } = setup();
    await tickAt(START + 1000, 1);
    const a = open(1);
    const b = open(2);
    subs.push(a.sub, b.sub);
    expect(types(a.got)).toEqual(['metrics']);
    expect(payload(a.got[0]).activeUsers).toBe(-1);
    await tickAt(START + 2000, 2);
    await tickAt(START + 3000, 3);
    expect(a.got.slice(1).map((e) => payload(e).activeUsers)).toEqual([2, 3]);
    expect(a.got[1]).toBe(b.got[1]); // the same object for every subscriber: serialized once
    expect(ids(a.got)).toEqual([...ids(a.got)].sort((x, y) => x - y));
    expect(new Set(ids(a.got)).size).toBe(3);
  });

  it('replays exactly the missed ticks after Last-Event-ID, then goes live without duplicates', async () => {
    const { tickAt, open, snapshot } = setup();
    for (let i = 1; i <= 5; i++) await tickAt(START + i * 1000, i);
    const first = open(1);
    const seen = Number(first.got[0].id);
    first.sub.unsubscribe();
    for (let i = 6; i <= 8; i++) await tickAt(START + i * 1000, i);
    snapshot.mockClear();
    const resumed = open(1, String(seen));
    subs.push(resumed.sub);
    expect(resumed.got.map((e) => payload(e).activeUsers)).toEqual([6, 7, 8]);
    expect(snapshot).not.toHaveBeenCalled();
    await tickAt(START + 9000, 9);
    expect(resumed.got.map((e) => payload(e).activeUsers)).toEqual([6, 7, 8, 9]);
  });

  it('holds live ticks that arrive while the replay is being sent and drops what it already sent', async () => {
    const { bus, feed, tickAt } = setup();
    for (let i = 1; i <= 3; i++) await tickAt(START + i * 1000, i);
    const got: MessageEvent[] = [];
    // A tick published from inside the replay (as another instance's could arrive).
    let injected = false;
    const sub = feed
      .stream(1, String(START + 1000), () => ({}) as DashboardMetrics)
      .subscribe((e) => {
        got.push(e);
        if (!injected) {
          injected = true;
          void bus.publish('dashboard:metrics', `${START + 4000}\n{"activeUsers":4}`);
          // and a stale duplicate of what was already replayed
          void bus.publish('dashboard:metrics', `${START + 2000}\n{"activeUsers":2}`);
        }
      });
    subs.push(sub);
    expect(got.map((e) => payload(e).activeUsers)).toEqual([2, 3, 4]);
  });

  it('answers an id older than the window with the current snapshot and a reset', async () => {
    const { tickAt, open } = setup(10_000);
    for (let i = 1; i <= 30; i++) await tickAt(START + i * 1000, i);
    const s = open(1, String(START + 2000));
    subs.push(s.sub);
    expect(types(s.got)).toEqual(['metrics', 'reset']);
    expect(payload(s.got[1])).toMatchObject({ reason: 'gap-too-old', lastEventId: String(START + 2000) });
    expect(Number(s.got[1].id)).toBeGreaterThan(Number(s.got[0].id));
    await tickAt(START + 31_000, 31);
    expect(types(s.got)).toEqual(['metrics', 'reset', 'metrics']);
  });

  it('treats a garbage id as none and an id from the future as unknown', async () => {
    const { tickAt, open } = setup();
    await tickAt(START + 1000, 1);
    const garbage = open(1, 'not-an-id');
    const future = open(1, String(START + 10_000_000));
    subs.push(garbage.sub, future.sub);
    expect(types(garbage.got)).toEqual(['metrics']);
    expect(types(future.got)).toEqual(['metrics', 'reset']);
    expect(payload(future.got[1]).reason).toBe('unknown-id');
  });

  it('sends a fresh snapshot when a resume missed nothing', async () => {
    const { tickAt, open } = setup();
    await tickAt(START + 1000, 1);
    const s = open(1, String(START + 1000));
    subs.push(s.sub);
    expect(types(s.got)).toEqual(['metrics']);
    expect(Number(s.got[0].id)).toBeGreaterThan(START + 1000);
  });

  it("pushes a refresh to that user's streams only, and forgets the user channel on close", async () => {
    const { feed, tickAt, open, bus } = setup();
    await tickAt(START + 1000, 1);
    const alice1 = open(1);
    const alice2 = open(1);
    const bob = open(2);
    expect(feed.userChannels).toBe(2);
    await feed.publishToUser(1, { activeUsers: 99 } as DashboardMetrics);
    expect(alice1.got.map((e) => payload(e).activeUsers)).toEqual([-1, 99]);
    expect(alice2.got.map((e) => payload(e).activeUsers)).toEqual([-1, 99]);
    expect(bob.got).toHaveLength(1);
    [alice1, alice2, bob].forEach((s) => s.sub.unsubscribe());
    expect(feed.userChannels).toBe(0);
    expect(bus.openChannels).toBe(2); // only the feed's own ticks and annotations subscriptions are left
  });

  it("pushes an annotation to every open stream, with an id in the streams' increasing sequence", async () => {
    const { feed, tickAt, open } = setup();
    await tickAt(START + 1000, 1);
    const streams = [open(1), open(2), open(2)];
    subs.push(...streams.map((s) => s.sub));
    await feed.publishAnnotation(JSON.stringify({ id: 7, kind: 'deploy' }));
    await tickAt(START + 2000, 2);
    for (const s of streams) {
      expect(types(s.got)).toEqual(['metrics', 'annotation', 'metrics']);
      expect(payload(s.got[1])).toEqual({ id: 7, kind: 'deploy' });
      expect(ids(s.got)).toEqual([...ids(s.got)].sort((a, b) => a - b));
      expect(new Set(ids(s.got)).size).toBe(3);
    }
    // Not part of the resume replay: a client that comes back gets ticks only (and fills from history).
    const resumed = open(1, streams[0].got[0].id as string);
    subs.push(resumed.sub);
    expect(types(resumed.got)).toEqual(['metrics']);
    expect(payload(resumed.got[0]).activeUsers).toBe(2);
  });

  it('restores the shared log at start, so a restarted instance resumes exactly the missed ticks', async () => {
    const logged: LoggedTick[] = [];
    const log = {
      append: async (t: LoggedTick) => {
        if (logged.length && t.id <= logged[logged.length - 1].id) return false;
        logged.push(t);
        return true;
      },
      recent: async () => [...logged],
    } as unknown as TickLog;
    let now = START;
    const options = { retentionMs: 60_000, capacity: 100, log, clock: () => now };
    const first = new DashboardFeed(new InProcessEventBus(), { ...options, instanceId: 'a' });
    for (let i = 1; i <= 5; i++) {
      now = START + i * 1000;
      await first.publishTick({ activeUsers: i } as DashboardMetrics);
    }
    first.close();
    // Another process on another bus: its ring is empty until it reads the log.
    now = START + 10_000;
    const restarted = new DashboardFeed(new InProcessEventBus(), { ...options, instanceId: 'b' });
    expect(await restarted.restore()).toBe(5);
    const got: MessageEvent[] = [];
    subs.push(
      restarted.stream(1, String(logged[1].id), () => ({}) as DashboardMetrics).subscribe((e) => got.push(e)),
    );
    expect(ids(got)).toEqual(logged.slice(2).map((t) => t.id));
    expect(got.map((e) => payload(e).activeUsers)).toEqual([3, 4, 5]);
    // An id from before the log is a gap: reset, not a silent partial replay.
    const old: MessageEvent[] = [];
    subs.push(
      restarted.stream(1, String(START), () => ({}) as DashboardMetrics).subscribe((e) => old.push(e)),
    );
    expect(types(old)).toEqual(['metrics', 'reset']);
    restarted.close();
  });

  it('does not publish a tick that the shared log refuses as older than its newest', async () => {
    const log = { append: jest.fn(async () => false), recent: async () => [] } as unknown as TickLog;
    const bus = new InProcessEventBus();
    const feed = new DashboardFeed(bus, { retentionMs: 60_000, capacity: 100, log, clock: () => START });
    const heard: string[] = [];
    const sub = bus.channel('dashboard:metrics').subscribe((m) => heard.push(m));
    await feed.publishTick({ activeUsers: 1 } as DashboardMetrics);
    expect(heard).toEqual([]);
    sub.unsubscribe();
    feed.close();
  });

  it('still publishes when the shared log is unreachable', async () => {
    const log = {
      append: jest.fn(async () => Promise.reject(new Error('Connection is closed.'))),
      recent: async () => [],
    } as unknown as TickLog;
    const bus = new InProcessEventBus();
    const feed = new DashboardFeed(bus, { retentionMs: 60_000, capacity: 100, log, clock: () => START });
    const heard: string[] = [];
    const sub = bus.channel('dashboard:metrics').subscribe((m) => heard.push(m));
    await feed.publishTick({ activeUsers: 1 } as DashboardMetrics);
    expect(heard).toHaveLength(1);
    sub.unsubscribe();
    feed.close();
  });

  it('returns the kept series for history', async () => {
    const { feed, tickAt, setNow } = setup(120_000);
    for (let i = 1; i <= 150; i++) await tickAt(START + i * 1000, i);
    setNow(START + 150_000);
    expect(feed.history(1).map((m) => m.activeUsers)).toEqual(Array.from({ length: 61 }, (_, k) => 90 + k));
    expect(feed.history(2)).toHaveLength(121);
  });
});
