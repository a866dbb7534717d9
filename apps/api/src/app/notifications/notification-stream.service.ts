import { Inject, Injectable, Logger, type MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';

import { NOTIFICATION_STREAMS_PER_USER, type NotificationConnected } from '@realtime/contracts';

import { followSource } from '../../common/streams/resume';
import { StreamHub, type StreamUser } from '../../common/streams/stream-hub';
import type { StreamEvent, StreamSource } from '../../common/streams/stream-source';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';
import { withTrace } from '../../infra/tracing/trace';
import { BatchedReads } from './batched-reads';
import {
  CHAT_UNREAD_KIND,
  type StoredEvent,
  type StoredEventKind,
  decodeBusMessage,
  parseLastEventId,
  toMessageEvent,
  userChannel,
} from './notification-events';
import { NotificationsService } from './notifications.service';

/** One stream's ask for its opening. */
interface OpeningAsk {
  userId: number;
  lastEventId: number | undefined;
}

/** One snapshot of a user's stream state, shared by the user's streams that opened together. */
interface UserStreamState {
  latest: number;
  unreadCount: number;
  /** The events after the user's earliest resumable cursor in the batch, in id order. */
  events: StreamEvent[];
}

const NO_EVENTS: UserStreamState = { latest: 0, unreadCount: 0, events: [] };

/**
 * At most one opening read per this many milliseconds while streams keep opening (an opening
 * alone is read at once): see `BatchedReads` for the figures.
 */
const OPENING_READ_INTERVAL_MS = 20;

/** Users per query of a batch read (well under SQLite's and PostgreSQL's bound on parameters). */
const USERS_PER_QUERY = 500;

/** The events of `events` (in id order) after `afterId`. */
function eventsAfter(events: StreamEvent[], afterId: number): StreamEvent[] {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].id <= afterId) lo = mid + 1;
    else hi = mid;
  }
  return events.slice(lo);
}

/** How long a disconnected EventSource waits before it reconnects (the `retry:` field). */
export const NOTIFICATION_RETRY_MS = 3000;

const toStreamEvent = (event: StoredEvent): StreamEvent => ({ id: event.id, event: toMessageEvent(event) });

/**
 * The notifications as a channel of the stream core: a `connected` event, the events missed
 * since `Last-Event-ID` from the database, then live events from the user's bus channel, each
 * once and in id order. The core does the SSE part (cap, presence, `retry:`, heartbeats,
 * expiry, shutdown) and the resume.
 */
@Injectable()
export class NotificationStreamService implements StreamSource {
  readonly name = 'notifications';
  readonly label = 'notification';
  readonly retryMs = NOTIFICATION_RETRY_MS;
  readonly reconnected$: Observable<void>;
  private readonly logger = new Logger('NotificationDelivery');
  /** The last bus event logged here: each one is logged once per instance, not once per stream. */
  private lastTraced = 0;
  private readonly openings = new BatchedReads(
    (asks: readonly OpeningAsk[]) => this.readStates(asks),
    OPENING_READ_INTERVAL_MS,
  );

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly hub: StreamHub,
    private readonly notifications: NotificationsService,
  ) {
    this.reconnected$ = bus.reconnected$;
  }

  /**
   * The SSE stream of one connection, resuming after `lastEventId`. Throws a 429 (before any
   * stream byte) when the user has too many open.
   */
  open(user: StreamUser, lastEventId: number | undefined): Observable<MessageEvent> {
    return this.hub.open(this, user, lastEventId === undefined ? undefined : String(lastEventId));
  }

  /** One log line per bus event and instance, with the trace id of the request that made it. */
  private traceDelivery(event: StoredEvent) {
    if (event.id === this.lastTraced) return;
    this.lastTraced = event.id;
    // Bound afresh: the stream's own request id must not stand in for the notification's.
    withTrace(
      () => this.logger.log({ msg: 'notification event delivering', eventId: event.id }),
      event.traceId,
    );
  }

  openStreams(userId: number): number {
    return this.hub.openStreams(this, userId);
  }

  /** The events of one stream, without the SSE framing (the core's resume on its own). */
  events(userId: number, lastEventId: number | undefined): Observable<MessageEvent> {
    return followSource(this, userId, lastEventId === undefined ? undefined : String(lastEventId));
  }

  maxStreamsPerUser(): number {
    return this.config.notificationStreamsPerUser ?? NOTIFICATION_STREAMS_PER_USER;
  }

  topics(userId: number): string[] {
    return [userChannel(userId)];
  }

  listen(topic: string, deliver: (event: StreamEvent) => void): () => void {
    const subscription = this.bus.channel(topic).subscribe((message) => {
      const event = decodeBusMessage(message);
      if (!event) return;
      if (event.kind === CHAT_UNREAD_KIND) {
        // Not stored (see chat-unread.service.ts): the core sends it now or never, without an id.
        deliver({ id: 0, ephemeral: true, event: { type: event.kind, data: event.payload } });
        return;
      }
      this.traceDelivery(event);
      deliver(toStreamEvent(event));
    });
    return () => subscription.unsubscribe();
  }

  /** Without Redis (cut off from the other instances) live events go through the database. */
  connected(): boolean {
    return this.bus.connected;
  }

  /**
   * The stream's opening: a `connected` event with the user's latest event id and unread
   * count, then the events after `lastEventId`. An id beyond the latest (another database, or a
   * forged one) counts as no id: the stream starts fresh rather than waiting for ids that may
   * never come. Streams that open together share one read (`BatchedReads`).
   */
  async opening(userId: number, cursor: string | undefined): Promise<StreamEvent[]> {
    const lastEventId = parseLastEventId(cursor);
    const state = (await this.openings.get({ userId, lastEventId })).get(userId) ?? NO_EVENTS;
    const resumed = lastEventId !== undefined && lastEventId <= state.latest;
    const startId = resumed ? lastEventId : state.latest;
    const connected: NotificationConnected = {
      userId,
      unreadCount: state.unreadCount,
      resumedFrom: resumed ? String(lastEventId) : null,
    };
    const first: StreamEvent = {
      id: startId,
      event: { id: String(startId), type: 'connected', data: JSON.stringify(connected) },
    };
    return resumed ? [first, ...eventsAfter(state.events, lastEventId)] : [first];
  }

  /**
   * Reads, in one snapshot, each asking user's latest event id, unread count and the events
   * after the user's earliest cursor that can resume (at or below the latest): three queries
   * for the whole batch, whatever its size. The events are shared by the streams of a user,
   * so each is framed once for all of them.
   */
  private async readStates(asks: readonly OpeningAsk[]): Promise<Map<number, UserStreamState>> {
    let tx = this.database.db.transaction();
    if (this.database.dialect === 'postgres') tx = tx.setIsolationLevel('repeatable read');
    return tx.execute(async (trx) => {
      const states = new Map<number, UserStreamState>();
      const users = [...new Set(asks.map((a) => a.userId))];
      for (let i = 0; i < users.length; i += USERS_PER_QUERY) {
        const chunk = users.slice(i, i + USERS_PER_QUERY);
        const latest = await trx
          .selectFrom('notification_events')
          .select((eb) => ['user_id', eb.fn.max('id').as('latest')])
          .where('user_id', 'in', chunk)
          .groupBy('user_id')
          .execute();
        const unread = await this.notifications.unreadCounts(chunk, trx);
        const latestOf = new Map(latest.map((r) => [Number(r.user_id), Number(r.latest ?? 0)]));
        for (const userId of chunk) {
          states.set(userId, {
            latest: latestOf.get(userId) ?? 0,
            unreadCount: unread.get(userId) ?? 0,
            events: [],
          });
        }
      }
      // Per user, the earliest cursor that resumes; the events after it, for all users at once.
      const from = new Map<number, number>();
      for (const { userId, lastEventId: c } of asks) {
        if (c === undefined || c > (states.get(userId)?.latest ?? 0)) continue;
        const earliest = from.get(userId);
        if (earliest === undefined || c < earliest) from.set(userId, c);
      }
      const resuming = [...from];
      for (let i = 0; i < resuming.length; i += USERS_PER_QUERY) {
        const chunk = resuming.slice(i, i + USERS_PER_QUERY);
        const rows = await trx
          .selectFrom('notification_events')
          .select(['id', 'user_id', 'kind', 'payload'])
          .where((eb) =>
            eb.or(chunk.map(([userId, after]) => eb.and([eb('user_id', '=', userId), eb('id', '>', after)]))),
          )
          .orderBy('id')
          .execute();
        for (const r of rows) {
          const event = toStreamEvent({
            id: Number(r.id),
            kind: r.kind as StoredEventKind,
            payload: r.payload,
          });
          states.get(Number(r.user_id))?.events.push(event);
        }
      }
      return states;
    });
  }

  /** The user's stored events after `afterId`, in id order. */
  async after(
    userId: number,
    afterId: number,
    db: Pick<DatabaseHandle['db'], 'selectFrom'> = this.database.db,
  ): Promise<StreamEvent[]> {
    const rows = await db
      .selectFrom('notification_events')
      .select(['id', 'kind', 'payload'])
      .where('user_id', '=', userId)
      .where('id', '>', afterId)
      .orderBy('id')
      .execute();
    return rows.map((r) =>
      toStreamEvent({ id: Number(r.id), kind: r.kind as StoredEventKind, payload: r.payload }),
    );
  }
}
