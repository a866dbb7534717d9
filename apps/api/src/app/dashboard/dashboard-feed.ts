import { randomBytes } from 'node:crypto';

import type { MessageEvent } from '@nestjs/common';
import { Observable, Subject, type Subscription, filter, finalize, map, share } from 'rxjs';

import { DASHBOARD_EVENTS, type DashboardMetrics, type DashboardReset } from '@realtime/contracts';

import type { EventBus } from '../../infra/event-bus/event-bus';
import { EventIds, parseEventId } from './event-ids';
import type { TickLog } from './tick-log';
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
  private readonly ticks$ = new Subject<Tick>();
  private readonly annotations$ = new Subject<MessageEvent>();
  private readonly perUser = new Map<number, Observable<MessageEvent>>();
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
   * The events of one dashboard stream: first what the client is owed (the missed ticks
   * after `lastEventId`, or the current snapshot, plus a `reset` when the gap cannot be
   * filled), then the live ticks and the user's refreshes. Live events are subscribed to
   * before the replay and held until it is out, and ids at or below the last one sent are
   * dropped, so nothing is lost or repeated between the two.
   */
  stream(
    userId: number,
    lastEventId: string | undefined,
    snapshot: () => DashboardMetrics,
  ): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let lastSent = -Infinity;
      let held: MessageEvent[] | null = [];
      const deliver = (event: MessageEvent) => {
        const id = Number(event.id);
        if (id <= lastSent) return;
        lastSent = id;
        subscriber.next(event);
      };
      // Two plain subscriptions rather than merge(map(…)): fewer hops per tick and stream.
      const live = (event: MessageEvent) => (held ? held.push(event) : deliver(event));
      const subscription = this.ticks$.subscribe((tick) => live(tick.event));
      subscription.add(this.userEvents(userId).subscribe(live));
      subscription.add(this.annotations$.subscribe(live));
      for (const event of this.opening(lastEventId, snapshot)) deliver(event);
      const pending = held;
      held = null;
      pending.forEach(deliver);
      return () => subscription.unsubscribe();
    });
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
    this.ticks$.complete();
    this.annotations$.complete();
  }

  private opening(lastEventId: string | undefined, snapshot: () => DashboardMetrics): MessageEvent[] {
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
    return missed.length ? missed.map((t) => t.event) : [this.fresh(snapshot)];
  }

  private fresh(snapshot: () => DashboardMetrics): MessageEvent {
    return {
      id: String(this.ids.next(this.clock())),
      type: DASHBOARD_EVENTS.metrics,
      data: JSON.stringify(snapshot()),
    };
  }

  private reset(data: DashboardReset): MessageEvent {
    return {
      id: String(this.ids.next(this.clock())),
      type: DASHBOARD_EVENTS.reset,
      data: JSON.stringify(data),
    };
  }

  private receiveAnnotation(message: string) {
    const decoded = decode(message);
    if (!decoded) return;
    this.ids.observe(decoded.id);
    this.annotations$.next({ id: String(decoded.id), type: DASHBOARD_EVENTS.annotation, data: decoded.data });
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
    if (tick.id > before) this.ticks$.next(tick);
  }

  /** One shared, parsed stream per user with open streams; forgotten when the last one closes. */
  private userEvents(userId: number): Observable<MessageEvent> {
    let events = this.perUser.get(userId);
    if (!events) {
      const shared: Observable<MessageEvent> = this.bus.channel(dashboardUserChannel(userId)).pipe(
        map(decode),
        filter((m) => m !== null),
        map((m): MessageEvent => {
          this.ids.observe(m.id);
          return { id: String(m.id), type: DASHBOARD_EVENTS.metrics, data: m.data };
        }),
        finalize(() => {
          if (this.perUser.get(userId) === shared) this.perUser.delete(userId);
        }),
        share(),
      );
      this.perUser.set(userId, shared);
      events = shared;
    }
    return events;
  }
}
