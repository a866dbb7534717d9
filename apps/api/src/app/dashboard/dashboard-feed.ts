import { randomBytes } from 'node:crypto';

import type { MessageEvent } from '@nestjs/common';
import type { Observable, Subscription } from 'rxjs';

import {
  DASHBOARD_EVENTS,
  DASHBOARD_RETRY_MS,
  type DashboardMetrics,
  type DashboardReset,
} from '@realtime/contracts';

import { followSource } from '../../common/streams/resume';
import type { StreamEvent, StreamSource } from '../../common/streams/stream-source';
import type { EventBus } from '../../infra/event-bus/event-bus';
import type { TickLog } from '../../infra/shared-state/tick-log';
import { EventIds, parseEventId } from './event-ids';
import { type Tick, TickRing } from './tick-ring';

/** Every instance's ticks; with Redis every instance hears every tick and keeps its own ring. */
export const DASHBOARD_TICKS_CHANNEL = 'dashboard:metrics';
/** Annotations (alerts, deploys, notes) for every open dashboard stream of the cluster. */
export const DASHBOARD_ANNOTATIONS_CHANNEL = 'dashboard:annotations';
/** Refreshes meant for the open streams of one user only. */
export const dashboardUserChannel = (userId: number) => `dashboard:user:${userId}`;

/**
 * On the bus a metrics event travels as `<id> <instance>\n<json>`: routing it never parses
 * the JSON, and the instance says which member of a cluster published it.
 */
function encode(id: number, origin: string, data: string): string {
  return `${id} ${origin}\n${data}`;
}

function decode(message: string): { id: number; origin: string; data: string } | null {
  const newline = message.indexOf('\n');
  const [rawId, origin = ''] = message.slice(0, Math.max(0, newline)).split(' ');
  const id = parseEventId(rawId);
  return id === null ? null : { id, origin, data: message.slice(newline + 1) };
}

export interface DashboardFeedOptions {
  retentionMs: number;
  /** Most ticks kept, whatever the retention (a tiny tick period with a long retention). */
  capacity: number;
  /**
   * The cluster's shared tick log (Redis): each published tick is appended first, and
   * `restore()` fills the ring from it at start. Omit for a single instance.
   */
  log?: TickLog;
  instanceId?: string;
  clock?: () => number;
}

/**
 * The dashboard's events: ticks published once on the bus and shared by every stream, a
 * ring of the recent ones for resume, and per-user refreshes. Knows nothing of HTTP.
 */
export class DashboardFeed {
  private readonly ids: EventIds;
  private readonly ring: TickRing;
  /** Who hears each tick: the stream core's topic (once, however many streams). */
  private readonly tickListeners = new Set<(tick: Tick) => void>();
  /** Who hears each annotation (the stream core's topic). */
  private readonly annotationListeners = new Set<(event: StreamEvent) => void>();
  /** Listeners per user channel, while at least one listens. */
  private readonly perUser = new Map<number, number>();
  private readonly subscription: Subscription;
  private readonly clock: () => number;
  readonly instanceId: string;

  constructor(
    private readonly bus: EventBus,
    private readonly options: DashboardFeedOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.instanceId = options.instanceId ?? randomBytes(6).toString('hex');
    this.ids = new EventIds(this.clock());
    this.ring = new TickRing(options.retentionMs, options.capacity, this.ids.last + 1);
    this.subscription = bus.channel(DASHBOARD_TICKS_CHANNEL).subscribe((m) => this.receiveTick(m));
    this.subscription.add(
      bus.channel(DASHBOARD_ANNOTATIONS_CHANNEL).subscribe((m) => this.receiveAnnotation(m)),
    );
  }

  /**
   * Serializes `metrics` once and publishes it as the next tick of every stream, after
   * appending it to the shared log. A tick the log refuses (another instance has logged a newer
   * one: two leaders for a moment) is not published; one the log cannot take (Redis down) is.
   * Resolves whether it was published.
   */
  async publishTick(metrics: DashboardMetrics): Promise<boolean> {
    const id = this.ids.next(this.clock());
    const data = JSON.stringify(metrics);
    if (this.options.log) {
      try {
        if (!(await this.options.log.append({ id, data }, this.clock()))) return false;
      } catch {
        // Redis is down: the bus delivers locally, and this instance's ring still resumes
      }
    }
    await this.bus.publish(DASHBOARD_TICKS_CHANNEL, encode(id, this.instanceId, data));
    return true;
  }

  /**
   * Fills the ring with the shared log's ticks from before this process (at start, before the
   * server listens), so resume works on an instance that has just (re)started. Without a log,
   * or with Redis down, the ring starts empty and older ids get a `reset`.
   */
  async restore(): Promise<number> {
    if (!this.options.log) return 0;
    const logged = await this.options.log.recent(this.clock());
    const ticks: Tick[] = [];
    for (const { id, data } of logged) {
      try {
        const metrics = JSON.parse(data) as DashboardMetrics;
        ticks.push({ id, event: { id: String(id), type: DASHBOARD_EVENTS.metrics, data }, metrics, at: id });
      } catch {
        // a malformed entry ends the gap-free run: keep only what follows it
        ticks.length = 0;
      }
    }
    for (const t of ticks) this.ids.observe(t.id);
    this.ring.seed(ticks, this.clock());
    return ticks.length;
  }

  /**
   * Pushes an annotation (already serialized) to every open dashboard stream of the cluster
   * as an `annotation` event. Not replayed on resume: a client fills its gaps from history.
   */
  publishAnnotation(data: string): Promise<void> {
    const id = this.ids.next(this.clock());
    return this.bus.publish(DASHBOARD_ANNOTATIONS_CHANNEL, encode(id, this.instanceId, data));
  }

  /** Pushes `metrics` to the open streams of `userId` only. */
  publishToUser(userId: number, metrics: DashboardMetrics): Promise<void> {
    const id = this.ids.next(this.clock());
    return this.bus.publish(
      dashboardUserChannel(userId),
      encode(id, this.instanceId, JSON.stringify(metrics)),
    );
  }

  /**
   * The dashboard as a channel of the stream core: the shared ticks and the user's refreshes
   * as topics, and as opening the missed ticks after the client's Last-Event-ID, or the
   * current snapshot (plus a `reset` when the gap cannot be filled).
   */
  source(snapshot: () => DashboardMetrics, maxStreamsPerUser: () => number): StreamSource {
    return {
      name: 'dashboard',
      retryMs: DASHBOARD_RETRY_MS,
      maxStreamsPerUser,
      topics: (userId) => [
        DASHBOARD_TICKS_CHANNEL,
        DASHBOARD_ANNOTATIONS_CHANNEL,
        dashboardUserChannel(userId),
      ],
      listen: (topic, deliver) => this.listen(topic, deliver),
      opening: (_userId, cursor) => this.opening(cursor, snapshot),
    };
  }

  /**
   * The events of one dashboard stream on their own (the stream core's resume, without the
   * SSE concerns): what the client is owed, then the live ticks and the user's refreshes, each
   * once and in id order.
   */
  stream(
    userId: number,
    lastEventId: string | undefined,
    snapshot: () => DashboardMetrics,
  ): Observable<MessageEvent> {
    return followSource(
      this.source(snapshot, () => Infinity),
      userId,
      lastEventId,
    );
  }

  /** The kept ticks of the last `minutes`, oldest first. */
  history(minutes: number): DashboardMetrics[] {
    const now = this.clock();
    this.ring.evict(now);
    return this.ring.since(now - minutes * 60_000).map((t) => t.metrics);
  }

  /** Streams of users with at least one open dashboard stream (for teardown checks). */
  get userChannels(): number {
    return this.perUser.size;
  }

  close(): void {
    this.subscription.unsubscribe();
    this.tickListeners.clear();
    this.annotationListeners.clear();
  }

  private listen(topic: string, deliver: (event: StreamEvent) => void): () => void {
    if (topic === DASHBOARD_TICKS_CHANNEL) {
      const listener = (tick: Tick) => deliver(tick);
      this.tickListeners.add(listener);
      return () => this.tickListeners.delete(listener);
    }
    if (topic === DASHBOARD_ANNOTATIONS_CHANNEL) {
      this.annotationListeners.add(deliver);
      return () => this.annotationListeners.delete(deliver);
    }
    const userId = Number(topic.slice(topic.lastIndexOf(':') + 1));
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
    const subscription = this.bus.channel(topic).subscribe((message) => {
      const m = decode(message);
      if (!m) return;
      this.ids.observe(m.id);
      deliver({ id: m.id, event: { id: String(m.id), type: DASHBOARD_EVENTS.metrics, data: m.data } });
    });
    return () => {
      subscription.unsubscribe();
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
    };
  }

  private opening(lastEventId: string | undefined, snapshot: () => DashboardMetrics): StreamEvent[] {
    const last = parseEventId(lastEventId); // garbage counts as no id: a fresh start
    if (last === null) return [this.fresh(snapshot)];
    if (last > this.ids.last) {
      return [
        this.fresh(snapshot),
        this.reset({
          reason: 'unknown-id',
          lastEventId: String(last),
          message: `Event id ${last} was not issued by this server; the metrics before this event are current`,
        }),
      ];
    }
    this.ring.evict(this.clock());
    const missed = this.ring.after(last);
    if (missed === null) {
      return [
        this.fresh(snapshot),
        this.reset({
          reason: 'gap-too-old',
          lastEventId: String(last),
          message:
            `The ticks after ${last} are no longer kept (the server keeps ` +
            `${Math.round(this.options.retentionMs / 60_000)} min): the gap could not be filled; the metrics ` +
            `before this event are current, GET /api/dashboard/history fills the chart`,
        }),
      ];
    }
    return missed.length ? missed : [this.fresh(snapshot)];
  }

  private fresh(snapshot: () => DashboardMetrics): StreamEvent {
    const id = this.ids.next(this.clock());
    return {
      id,
      event: { id: String(id), type: DASHBOARD_EVENTS.metrics, data: JSON.stringify(snapshot()) },
    };
  }

  private reset(data: DashboardReset): StreamEvent {
    const id = this.ids.next(this.clock());
    return { id, event: { id: String(id), type: DASHBOARD_EVENTS.reset, data: JSON.stringify(data) } };
  }

  private receiveAnnotation(message: string) {
    const decoded = decode(message);
    if (!decoded) return;
    this.ids.observe(decoded.id);
    const event = { id: String(decoded.id), type: DASHBOARD_EVENTS.annotation, data: decoded.data };
    for (const deliver of this.annotationListeners) deliver({ id: decoded.id, event });
  }

  private receiveTick(message: string) {
    const decoded = decode(message);
    if (!decoded) return;
    let metrics: DashboardMetrics;
    try {
      metrics = JSON.parse(decoded.data) as DashboardMetrics;
    } catch {
      return;
    }
    this.ids.observe(decoded.id);
    const tick: Tick = {
      id: decoded.id,
      event: { id: String(decoded.id), type: DASHBOARD_EVENTS.metrics, data: decoded.data },
      metrics,
      at: this.clock(),
    };
    const before = this.ring.newest?.id ?? -Infinity;
    this.ring.push(tick);
    if (tick.id > before) for (const listener of this.tickListeners) listener(tick);
  }
}
