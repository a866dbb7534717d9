import {
  type BeforeApplicationShutdown,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type MessageEvent,
} from '@nestjs/common';
import { Observable, Subject, defer, of, takeUntil } from 'rxjs';

import { NOTIFICATION_STREAMS_PER_USER, type NotificationConnected } from '@realtime/contracts';

import { sseStream } from '../../common/sse';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import { EventBus } from '../../infra/event-bus/event-bus';
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
  private readonly shutdown$ = new Subject<void>();
  private closing = false;

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
    }).pipe(takeUntil(this.shutdown$));
    return defer(() => (this.closing ? of(GOING_AWAY) : stream$));
  }

  /**
   * Ends every open stream before the HTTP server closes: an open stream would otherwise
   * hold the shutdown forever. Clients reconnect (to this instance once it is back, or to
   * another) with their Last-Event-ID and miss nothing.
   */
  beforeApplicationShutdown() {
    this.closing = true;
    this.shutdown$.next();
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
      let held: StoredEvent[] | null = [];
      let lastSent = 0;
      const send = (event: StoredEvent) => {
        if (event.id <= lastSent) return;
        lastSent = event.id;
        subscriber.next(toMessageEvent(event));
      };
      const live = this.bus.channel(userChannel(userId)).subscribe({
        next: (message) => {
          const event = decodeBusMessage(message);
          if (!event) return;
          if (held) held.push(event);
          else send(event);
        },
        error: (err) => subscriber.error(err),
      });
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
          const pending = held ?? [];
          held = null;
          pending.forEach(send);
        },
        (err) => subscriber.error(err),
      );
      return () => live.unsubscribe();
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
      const rows = await trx
        .selectFrom('notification_events')
        .select(['id', 'kind', 'payload'])
        .where('user_id', '=', userId)
        .where('id', '>', lastEventId)
        .orderBy('id')
        .execute();
      const replay = rows.map((r) => ({
        id: Number(r.id),
        kind: r.kind as StoredEventKind,
        payload: r.payload,
      }));
      return { startId: lastEventId, resumedFrom: lastEventId, unreadCount, replay };
    });
  }
}
