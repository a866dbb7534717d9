import {
  type BeforeApplicationShutdown,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  type MessageEvent,
} from '@nestjs/common';
import { Observable, defer, of } from 'rxjs';

import { NOTIFICATION_STREAMS_PER_USER, type NotificationConnected } from '@realtime/contracts';

import { sseStream, streamsShutdown$ } from '../../common/sse';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';
import { withTrace } from '../../infra/tracing/trace';
import { PresenceService } from '../presence/presence.service';
import {
  type StoredEvent,
  type StoredEventKind,
  decodeBusMessage,
  toMessageEvent,
  userChannel,
} from './notification-events';
import { NotificationsService } from './notifications.service';

/** How long a disconnected EventSource waits before it reconnects (the `retry:` field). */
export const NOTIFICATION_RETRY_MS = 3000;

/**
 * What a stream opened during shutdown gets: a valid, empty event stream that ends at once,
 * so an EventSource reconnects after `retry:` (an error status would stop it for good).
 */
const GOING_AWAY = { comment: 'shutting down' } as MessageEvent;

/** Where a stream starts: after `startId`, replaying `replay` first. */
interface StreamStart {
  startId: number;
  resumedFrom: number | null;
  unreadCount: number;
  replay: StoredEvent[];
}

/**
 * The per-user notification stream: a `connected` event, the events missed since
 * `Last-Event-ID` from the database, then live events from the user's bus channel, each once
 * and in id order.
 */
@Injectable()
export class NotificationStreamService implements BeforeApplicationShutdown {
  private readonly openPerUser = new Map<number, number>();
  private closing = false;
  private readonly logger = new Logger('NotificationDelivery');
  /** The last bus event logged here: each one is logged once per instance, not once per stream. */
  private lastTraced = 0;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: EventBus,
    private readonly presence: PresenceService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * The SSE stream of one connection: heartbeats, `retry:`, an end at token expiry, and
   * presence. Throws a 429 (before any stream byte) when the user has too many open.
   */
  open(user: { id: number; tokenExp?: number }, lastEventId: number | undefined): Observable<MessageEvent> {
    const max = this.config.notificationStreamsPerUser ?? NOTIFICATION_STREAMS_PER_USER;
    if (this.openStreams(user.id) >= max) {
      throw new HttpException(
        `Too many open notification streams for this user (at most ${max}): close one before opening another`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const stream$ = sseStream(this.events(user.id, lastEventId), {
      heartbeatMs: this.config.heartbeatMs,
      retryMs: NOTIFICATION_RETRY_MS,
      expiresAt: user.tokenExp,
      onOpen: () => {
        this.openPerUser.set(user.id, this.openStreams(user.id) + 1);
        const releasePresence = this.presence.track(user.id, 'notifications');
        return () => {
          releasePresence();
          const left = this.openStreams(user.id) - 1;
          if (left > 0) this.openPerUser.set(user.id, left);
          else this.openPerUser.delete(user.id);
        };
      },
    });
    return defer(() => (this.closing ? of(GOING_AWAY) : stream$));
  }

  /**
   * Ends every open stream before the HTTP server closes: an open stream would otherwise
   * hold the shutdown forever. Clients reconnect (to this instance once it is back, or to
   * another) with their Last-Event-ID and miss nothing.
   */
  beforeApplicationShutdown() {
    this.closing = true;
    // First the shared signal, so that each stream ends with its `retry:` goodbye.
    streamsShutdown$.next();
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
    return this.openPerUser.get(userId) ?? 0;
  }

  /**
   * The events of one stream, without the SSE framing. Live events are subscribed to first
   * and held back while the start point and the missed events are read, then sent after
   * them; any id at or below the last one sent is dropped, so nothing arrives twice or out
   * of order.
   */
  events(userId: number, lastEventId: number | undefined): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let lastSent = 0;
      let started = false;
      /** Live events waiting while the database is read (at the start, or catching up). */
      let held: StoredEvent[] = [];
      let reading = false;
      let again = false;
      const send = (event: StoredEvent) => {
        if (event.id <= lastSent) return;
        lastSent = event.id;
        subscriber.next(toMessageEvent(event));
      };
      const flush = () => {
        const pending = held;
        held = [];
        pending.forEach(send);
      };
      /**
       * Sends what the database has after the last event sent. Without Redis (cut off from the
       * other instances) a live event may overtake one stored on another instance, so live
       * events then go through here too, and everything goes out in id order; Redis back,
       * one more read brings what was published while the instances were apart.
       */
      const catchUp = () => {
        if (!started || subscriber.closed) return;
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        const run = async () => {
          do {
            again = false;
            (await this.eventsAfter(this.database.db, userId, lastSent)).forEach(send);
          } while (again && !subscriber.closed);
        };
        run()
          .catch(() => undefined) // the database is away too: the client resumes on reconnect
          .finally(() => {
            reading = false;
            flush();
          });
      };
      const live = this.bus.channel(userChannel(userId)).subscribe({
        next: (message) => {
          const event = decodeBusMessage(message);
          if (!event) return;
          this.traceDelivery(event);
          if (!started || reading || !this.bus.connected) {
            held.push(event);
            if (started) catchUp();
          } else send(event);
        },
        error: (err) => subscriber.error(err),
      });
      const reconnected = this.bus.reconnected$.subscribe(() => catchUp());
      this.start(userId, lastEventId).then(
        (start) => {
          if (subscriber.closed) return;
          const connected: NotificationConnected = {
            userId,
            unreadCount: start.unreadCount,
            resumedFrom: start.resumedFrom === null ? null : String(start.resumedFrom),
          };
          subscriber.next({ id: String(start.startId), type: 'connected', data: JSON.stringify(connected) });
          lastSent = start.startId;
          start.replay.forEach(send);
          started = true;
          if (this.bus.connected) flush();
          else catchUp();
        },
        (err) => subscriber.error(err),
      );
      return () => {
        live.unsubscribe();
        reconnected.unsubscribe();
      };
    });
  }

  /**
   * Reads, in one snapshot, the user's latest event id, unread count and the events after
   * `lastEventId`. An id beyond the latest (another database, or a forged one) counts as no
   * id: the stream starts fresh rather than waiting for ids that may never come.
   */
  private async start(userId: number, lastEventId: number | undefined): Promise<StreamStart> {
    let tx = this.database.db.transaction();
    if (this.database.dialect === 'postgres') tx = tx.setIsolationLevel('repeatable read');
    return tx.execute(async (trx) => {
      const latestRow = await trx
        .selectFrom('notification_events')
        .select((eb) => eb.fn.max('id').as('latest'))
        .where('user_id', '=', userId)
        .executeTakeFirst();
      const latest = Number(latestRow?.latest ?? 0);
      const unreadCount = await this.notifications.unreadCount(userId, trx);
      if (lastEventId === undefined || lastEventId > latest) {
        return { startId: latest, resumedFrom: null, unreadCount, replay: [] };
      }
      const replay = await this.eventsAfter(trx, userId, lastEventId);
      return { startId: lastEventId, resumedFrom: lastEventId, unreadCount, replay };
    });
  }

  /** The user's stored events after `afterId`, in id order. */
  private async eventsAfter(
    db: Pick<DatabaseHandle['db'], 'selectFrom'>,
    userId: number,
    afterId: number,
  ): Promise<StoredEvent[]> {
    const rows = await db
      .selectFrom('notification_events')
      .select(['id', 'kind', 'payload'])
      .where('user_id', '=', userId)
      .where('id', '>', afterId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: Number(r.id), kind: r.kind as StoredEventKind, payload: r.payload }));
  }
}
