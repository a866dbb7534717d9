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
   * Reads, in one snapshot, the user's latest event id, unread count and the events after
   * `lastEventId`. An id beyond the latest (another database, or a forged one) counts as no
   * id: the stream starts fresh rather than waiting for ids that may never come.
   */
  async opening(userId: number, cursor: string | undefined): Promise<StreamEvent[]> {
    const lastEventId = parseLastEventId(cursor);
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
      const resumed = lastEventId !== undefined && lastEventId <= latest;
      const startId = resumed ? lastEventId : latest;
      const connected: NotificationConnected = {
        userId,
        unreadCount,
        resumedFrom: resumed ? String(lastEventId) : null,
      };
      const opening: StreamEvent[] = [
        { id: startId, event: { id: String(startId), type: 'connected', data: JSON.stringify(connected) } },
      ];
      if (resumed) opening.push(...(await this.after(userId, lastEventId, trx)));
      return opening;
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
