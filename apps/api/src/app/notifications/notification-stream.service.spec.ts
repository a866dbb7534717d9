import type { MessageEvent } from '@nestjs/common';
import { type Observable, Subject, type Subscription } from 'rxjs';

import { NOTIFICATION_STREAMS_PER_USER } from '@realtime/contracts';

import { ShutdownSignal } from '../../common/shutdown-signal';
import { HEARTBEAT } from '../../common/streams/sse-frame';
import { StreamHub } from '../../common/streams/stream-hub';
import type { AppConfig } from '../../config/app-config';
import { EventBus } from '../../infra/event-bus/event-bus';
import { InProcessEventBus } from '../../infra/event-bus/in-process-event-bus';
import { PresenceService } from '../presence/presence.service';
import { encodeBusMessage, userChannel } from './notification-events';
import { NOTIFICATION_RETRY_MS, NotificationStreamService } from './notification-stream.service';
import { NotificationsService } from './notifications.service';
import { ALICE, notificationsTestbed } from './testing';

const BOB = { id: 2, tokenExp: undefined };

describe('NotificationStreamService', () => {
  let bed: Awaited<ReturnType<typeof notificationsTestbed>>;
  let presence: PresenceService;
  let streams: NotificationStreamService;
  let shutdown: ShutdownSignal;
  let hub: StreamHub;
  const subs: Subscription[] = [];

  beforeEach(async () => {
    bed = await notificationsTestbed();
    presence = new PresenceService();
    shutdown = new ShutdownSignal();
    hub = new StreamHub({ heartbeatMs: 1000 }, presence, shutdown);
    streams = new NotificationStreamService(
      bed.database,
      { heartbeatMs: 1000 } as AppConfig,
      bed.bus,
      hub,
      bed.notifications,
    );
  });
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    jest.useRealTimers();
    await bed.close();
  });

  /** Subscribes and collects; `next(n)` waits until n events have arrived. */
  function collect(source: ReturnType<NotificationStreamService['events']>) {
    const got: MessageEvent[] = [];
    let wake: () => void = () => undefined;
    let completed = false;
    subs.push(
      source.subscribe({
        next: (e) => {
          got.push(e);
          wake();
        },
        complete: () => {
          completed = true;
          wake();
        },
      }),
    );
    return {
      got,
      get completed() {
        return completed;
      },
      async next(n: number) {
        while (got.length < n && !completed) await new Promise<void>((resolve) => (wake = resolve));
        return got;
      },
    };
  }

  const create = (userId: number, title: string) =>
    bed.notifications.create({ userId, title, message: '' }, ALICE);

  it('starts fresh with the latest event id and the unread count, then delivers live', async () => {
    const old = await create(2, 'old');
    const s = collect(streams.events(2, undefined));
    const [connected] = await s.next(1);
    expect(connected).toEqual({
      id: '1',
      type: 'connected',
      data: JSON.stringify({ userId: 2, unreadCount: 1, resumedFrom: null }),
    });
    const live = await create(2, 'live');
    await create(1, 'for alice');
    await s.next(2);
    expect(s.got.slice(1)).toEqual([{ id: '2', type: 'notification', data: JSON.stringify(live) }]);
    expect(JSON.stringify(s.got)).not.toContain(JSON.stringify(old));
  });

  it('starts at 0 for a user without events', async () => {
    const s = collect(streams.events(3, undefined));
    expect((await s.next(1))[0]).toMatchObject({ id: '0', type: 'connected' });
  });

  it('replays the events after Last-Event-ID in order, then live, each once', async () => {
    const a = await create(2, 'a');
    const b = await create(2, 'b');
    await bed.notifications.markRead(2, a.id);
    const s = collect(streams.events(2, 1));
    // Published while the replay is read: held back, then dropped as already replayed.
    await bed.bus.publish(
      userChannel(2),
      encodeBusMessage({ id: 2, kind: 'notification', payload: JSON.stringify(b) }),
    );
    const [connected] = await s.next(3);
    expect(connected).toMatchObject({ id: '1', type: 'connected' });
    expect(JSON.parse(connected.data as string)).toMatchObject({ resumedFrom: '1', unreadCount: 1 });
    const c = await create(2, 'c');
    await s.next(4);
    expect(s.got.map((e) => [e.id, e.type])).toEqual([
      ['1', 'connected'],
      ['2', 'notification'],
      ['3', 'notification-read'],
      ['4', 'notification'],
    ]);
    expect(s.got[3].data).toBe(JSON.stringify(c));
  });

  it('sends an event that is published during the replay read after the replay, once', async () => {
    await create(2, 'a');
    const s = collect(streams.events(2, 0));
    // Committed and published after the stream subscribed: it may or may not be in the
    // replay, and must arrive exactly once either way.
    const b = await create(2, 'b');
    await s.next(3);
    const c = await create(2, 'c');
    await s.next(4);
    const titles = s.got.slice(1).map((e) => JSON.parse(e.data as string).title);
    expect(titles).toEqual(['a', 'b', 'c']);
    expect(s.got[2].id).toBe(String(b.id));
    expect(s.got[3].id).toBe(String(c.id));
  });

  it('starts fresh from a Last-Event-ID beyond the latest event', async () => {
    await create(2, 'a');
    const s = collect(streams.events(2, 999));
    const [connected] = await s.next(1);
    expect(connected.id).toBe('1');
    expect(JSON.parse(connected.data as string).resumedFrom).toBeNull();
  });

  it('gives the streams that open together one read, each its own resume', async () => {
    const a = await create(2, 'a');
    const b = await create(2, 'b');
    const c = await create(2, 'c');
    const forCarol = await create(3, 'for carol');
    const transactions = jest.spyOn(bed.database.db, 'transaction');
    const fresh = collect(streams.events(2, undefined));
    const fromA = collect(streams.events(2, a.id));
    const fromB = collect(streams.events(2, b.id));
    const beyond = collect(streams.events(2, 999));
    const carol = collect(streams.events(3, 0));
    await Promise.all([fresh.next(1), fromA.next(3), fromB.next(2), beyond.next(1), carol.next(2)]);
    // One read for the batch (one transaction: the latest ids, the unread counts, the events).
    expect(transactions).toHaveBeenCalledTimes(1);
    const ids = (s: ReturnType<typeof collect>) => s.got.map((e) => [e.type, e.id]);
    expect(ids(fresh)).toEqual([['connected', String(c.id)]]);
    expect(ids(fromA)).toEqual([
      ['connected', String(a.id)],
      ['notification', String(b.id)],
      ['notification', String(c.id)],
    ]);
    expect(ids(fromB)).toEqual([
      ['connected', String(b.id)],
      ['notification', String(c.id)],
    ]);
    expect(ids(beyond)).toEqual([['connected', String(c.id)]]);
    expect(JSON.parse(fromB.got[0].data as string)).toEqual({
      userId: 2,
      unreadCount: 3,
      resumedFrom: String(b.id),
    });
    expect(JSON.parse(beyond.got[0].data as string).resumedFrom).toBeNull();
    expect(ids(carol)).toEqual([
      ['connected', '0'],
      ['notification', String(forCarol.id)],
    ]);
    expect(JSON.parse(carol.got[1].data as string).title).toBe('for carol');
  });

  it('delivers an event published between a stream asking and its batch being read once, to every stream', async () => {
    const a = await create(2, 'a');
    const first = collect(streams.events(2, a.id));
    // Committed while the batch waits for its read: in the snapshot and live; sent once.
    const b = await create(2, 'b');
    const second = collect(streams.events(2, a.id));
    await Promise.all([first.next(2), second.next(2)]);
    const c = await create(2, 'c');
    await Promise.all([first.next(3), second.next(3)]);
    for (const s of [first, second]) {
      expect(s.got.map((e) => e.id)).toEqual([String(a.id), String(b.id), String(c.id)]);
    }
  });

  it('leaves the bus channel when the client goes away', async () => {
    const s = collect(streams.events(2, undefined));
    await s.next(1);
    expect(bed.bus.openChannels).toBe(1);
    subs.splice(0).forEach((sub) => sub.unsubscribe());
    expect(bed.bus.openChannels).toBe(0);
  });

  it('adds retry and heartbeats, registers presence, and releases everything on close', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const s = collect(streams.open(BOB, undefined));
    const [connected] = await s.next(1);
    expect(connected.retry).toBe(NOTIFICATION_RETRY_MS);
    expect(presence.connectionsOf(2)).toBe(1);
    expect(streams.openStreams(2)).toBe(1);
    jest.advanceTimersByTime(2000);
    expect(s.got.slice(1)).toEqual([HEARTBEAT, HEARTBEAT]);
    subs.splice(0).forEach((sub) => sub.unsubscribe());
    expect(presence.activeUsers()).toBe(0);
    expect(streams.openStreams(2)).toBe(0);
    expect(bed.bus.openChannels).toBe(0);
    jest.advanceTimersByTime(5000);
    expect(s.got).toHaveLength(3);
  });

  it('ends the stream when the token expires', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const s = collect(streams.open({ id: 2, tokenExp: Math.floor(Date.now() / 1000) + 1 }, undefined));
    await s.next(1);
    jest.advanceTimersByTime(1500);
    expect(s.completed).toBe(true);
    expect(presence.activeUsers()).toBe(0);
  });

  it(`refuses stream ${NOTIFICATION_STREAMS_PER_USER + 1} of one user with a 429, not other users'`, () => {
    for (let i = 0; i < NOTIFICATION_STREAMS_PER_USER; i++) collect(streams.open(BOB, undefined));
    expect(() => streams.open(BOB, undefined)).toThrow(
      expect.objectContaining({ status: 429, message: expect.stringMatching(/at most 20/) }),
    );
    expect(() => collect(streams.open({ id: 1 }, undefined))).not.toThrow();
    subs.shift()!.unsubscribe();
    expect(() => collect(streams.open(BOB, undefined))).not.toThrow();
  });

  it('takes the per-user limit from NOTIFICATION_STREAMS_PER_USER', () => {
    const limited = new NotificationStreamService(
      bed.database,
      { heartbeatMs: 1000, notificationStreamsPerUser: 2 } as AppConfig,
      bed.bus,
      hub,
      bed.notifications,
    );
    collect(limited.open(BOB, undefined));
    collect(limited.open(BOB, undefined));
    expect(() => limited.open(BOB, undefined)).toThrow(
      expect.objectContaining({ status: 429, message: expect.stringMatching(/at most 2\)/) }),
    );
  });

  it('ends open streams at shutdown, and a stream opened later ends at once', async () => {
    const s = collect(streams.open(BOB, undefined));
    await s.next(1);
    shutdown.fire();
    expect(s.completed).toBe(true);
    expect(presence.activeUsers()).toBe(0);
    const late = collect(streams.open(BOB, undefined));
    expect(late.completed).toBe(true);
    expect(late.got).toEqual([{ comment: 'shutting down' }]);
  });
  it('while cut off from Redis reads through the database in id order, and catches up when it is back', async () => {
    // bob's stream on "this" instance; `remote` is the notifications service of another one,
    // whose messages arrive only while the link is up.
    const link = new PartitionedBus(bed.bus, userChannel(2));
    const here = new NotificationsService(bed.database, link, bed.users);
    const stream = new NotificationStreamService(
      bed.database,
      { heartbeatMs: 1000 } as AppConfig,
      link,
      hub,
      bed.notifications,
    );
    const titles = (got: MessageEvent[]) => got.slice(1).map((e) => JSON.parse(e.data as string).title);
    const s = collect(stream.events(2, undefined));
    await s.next(1);
    await create(2, 'one');
    await s.next(2);
    link.connected = false;
    await create(2, 'two'); // lost on the bus: stored only
    await here.create({ userId: 2, title: 'three', message: '' }, ALICE);
    await s.next(4);
    expect(titles(s.got)).toEqual(['one', 'two', 'three']);
    await create(2, 'four');
    link.connected = true;
    link.reconnected$.next();
    await s.next(5);
    await create(2, 'five');
    await s.next(6);
    expect(titles(s.got)).toEqual(['one', 'two', 'three', 'four', 'five']);
    const ids = s.got.map((e) => Number(e.id));
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
  });
});

/** A bus cut off from another instance's bus while `connected` is false (Redis down). */
class PartitionedBus extends EventBus {
  readonly kind = 'redis' as const;
  connected = true;
  readonly reconnected$ = new Subject<void>();
  private readonly local = new InProcessEventBus();

  constructor(remote: EventBus, channel: string) {
    super();
    remote.channel(channel).subscribe((m) => {
      if (this.connected) void this.local.publish(channel, m);
    });
  }

  publish(channel: string, message: string): Promise<void> {
    return this.local.publish(channel, message);
  }

  channel(name: string): Observable<string> {
    return this.local.channel(name);
  }
}
