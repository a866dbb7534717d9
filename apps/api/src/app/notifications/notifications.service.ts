import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { Kysely, Selectable, Transaction } from 'kysely';

import type {
  BroadcastNotificationRequest,
  CreateNotificationRequest,
  Notification,
  NotificationDeleted,
  NotificationListResponse,
  NotificationSender,
  NotificationType,
  NotificationsRead,
} from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import type { Database, NotificationsTable } from '../../infra/database/schema';
import { EventBus } from '../../infra/event-bus/event-bus';
import { currentTraceId } from '../../infra/tracing/trace';
import { UsersService } from '../users/users.service';
import { KeyedQueue } from './keyed-queue';
import { type StoredEvent, type StoredEventKind, encodeBusMessage, userChannel } from './notification-events';

const iso = (ms: number) => new Date(ms).toISOString();

export function toNotification(row: Selectable<NotificationsTable>): Notification {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    type: row.type as NotificationType,
    title: row.title,
    message: row.message,
    createdAt: iso(Number(row.created_at)),
    readAt: row.read_at === null ? null : iso(Number(row.read_at)),
    sender:
      row.sender_id === null || row.sender_id === undefined
        ? { system: true }
        : { id: Number(row.sender_id), username: row.sender_name ?? '' },
  };
}

/** What a write did: its answer, and the change to log and publish, if anything changed. */
interface WriteOutcome<T> {
  result: T;
  event?: { kind: StoredEventKind; data: unknown };
}

/**
 * Stores notifications and every change to them. Each change is written in the same
 * transaction as its `notification_events` row, whose id becomes the SSE event id, and is
 * published on the user's bus channel once committed: the database is the record that
 * resume replays from, the bus only the fast path to open streams.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);
  private readonly writes = new KeyedQueue<number>();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly bus: EventBus,
    private readonly users: UsersService,
  ) {}

  private get db() {
    return this.database.db;
  }

  /** The user's notifications, newest first, `limit` at a time, older than `cursor`. */
  async list(userId: number, query: { cursor?: string; limit: number }): Promise<NotificationListResponse> {
    let select = this.db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
    if (query.cursor !== undefined) select = select.where('id', '<', Number(query.cursor));
    const rows = await select
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const items = rows.slice(0, query.limit).map(toNotification);
    return {
      items,
      unreadCount: await this.unreadCount(userId),
      nextCursor: rows.length > query.limit ? String(items[items.length - 1].id) : null,
    };
  }

  /** Unread notifications per user, for many users in one query (absent: none). */
  async unreadCounts(
    userIds: readonly number[],
    db: Kysely<Database> = this.db,
  ): Promise<Map<number, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('notifications')
      .select((eb) => ['user_id', eb.fn.countAll().as('n')])
      .where('user_id', 'in', userIds)
      .where('read_at', 'is', null)
      .groupBy('user_id')
      .execute();
    return new Map(rows.map((r) => [Number(r.user_id), Number(r.n)]));
  }

  async unreadCount(userId: number, db: Kysely<Database> = this.db): Promise<number> {
    const row = await db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * Stores a notification for `request.userId` (an id or a username) and delivers it live.
   * An unknown, or disabled, recipient is one and the same 404 whether named by id or by
   * username, so the answer does not tell which usernames exist.
   */
  async create(request: CreateNotificationRequest, sender: NotificationSender): Promise<Notification> {
    const recipient = await this.users.resolve(request.userId);
    if (!recipient) throw new NotFoundException('userId: no such user');
    return this.deliver(recipient.id, request, sender);
  }

  /** One notification to every enabled user (admins' broadcast); returns how many got it. */
  async broadcast(request: BroadcastNotificationRequest, sender: NotificationSender): Promise<number> {
    const ids = await this.users.enabledIds();
    for (const id of ids) await this.deliver(id, request, sender);
    return ids.length;
  }

  private deliver(
    recipientId: number,
    request: BroadcastNotificationRequest,
    sender: NotificationSender,
  ): Promise<Notification> {
    return this.write(recipientId, async (trx, now) => {
      const row = await trx
        .insertInto('notifications')
        .values({
          user_id: recipientId,
          type: request.type ?? 'info',
          title: request.title,
          message: request.message,
          created_at: now,
          read_at: null,
          sender_id: 'system' in sender ? null : sender.id,
          sender_name: 'system' in sender ? null : sender.username,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const notification = toNotification(row);
      return { result: notification, event: { kind: 'notification', data: notification } };
    });
  }

  /** Marks one of the user's notifications read; reading it again changes nothing. */
  async markRead(userId: number, id: number): Promise<Notification> {
    return this.write(userId, async (trx, now) => {
      const updated = await trx
        .updateTable('notifications')
        .set({ read_at: now })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (updated) {
        const data: NotificationsRead = { ids: [id], readAt: iso(now) };
        return { result: toNotification(updated), event: { kind: 'notification-read', data } };
      }
      const existing = await trx
        .selectFrom('notifications')
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (!existing) throw notFound(id);
      return { result: toNotification(existing) };
    });
  }

  /** Marks every unread notification of the user read, as one change (one event). */
  async markAllRead(userId: number): Promise<NotificationsRead> {
    return this.write(userId, async (trx, now) => {
      const rows = await trx
        .updateTable('notifications')
        .set({ read_at: now })
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .returning('id')
        .execute();
      const data: NotificationsRead = {
        ids: rows.map((r) => Number(r.id)).sort((a, b) => a - b),
        readAt: iso(now),
      };
      return { result: data, event: data.ids.length ? { kind: 'notification-read', data } : undefined };
    });
  }

  async remove(userId: number, id: number): Promise<void> {
    await this.write(userId, async (trx) => {
      const row = await trx
        .deleteFrom('notifications')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .returning('id')
        .executeTakeFirst();
      if (!row) throw notFound(id);
      const data: NotificationDeleted = { id };
      return { result: undefined, event: { kind: 'notification-deleted', data } };
    });
  }

  /**
   * Runs one change of `userId`'s notifications: the change and its event row in one
   * transaction, then the publish. The writes of one user queue up in this process, and on
   * PostgreSQL also lock the user's row, so event ids are committed in id order: a resume
   * that has seen id n can never later miss a smaller id still in flight.
   */
  private write<T>(
    userId: number,
    change: (trx: Transaction<Database>, now: number) => Promise<WriteOutcome<T>>,
  ): Promise<T> {
    return this.writes.run(userId, async () => {
      const { result, stored } = await this.db.transaction().execute(async (trx) => {
        if (this.database.dialect === 'postgres') {
          await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
        }
        const now = Date.now();
        const outcome = await change(trx, now);
        if (!outcome.event) return { result: outcome.result, stored: undefined };
        const payload = JSON.stringify(outcome.event.data);
        const row = await trx
          .insertInto('notification_events')
          .values({ user_id: userId, kind: outcome.event.kind, payload, created_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        const stored: StoredEvent = { id: Number(row.id), kind: outcome.event.kind, payload };
        return { result: outcome.result, stored };
      });
      if (stored) await this.publish(userId, stored);
      return result;
    });
  }

  private async publish(userId: number, event: StoredEvent): Promise<void> {
    try {
      const traceId = currentTraceId();
      this.logger.log({ msg: 'notification event stored, publishing', eventId: event.id, kind: event.kind });
      await this.bus.publish(userChannel(userId), encodeBusMessage({ ...event, traceId }));
    } catch (err) {
      // The change is committed; streams that miss it live get it on their next resume.
      this.logger.warn(`Could not publish notification event ${event.id}: ${(err as Error).message}`);
    }
  }
}

function notFound(id: number): NotFoundException {
  return new NotFoundException(`Notification ${id} not found`);
}
