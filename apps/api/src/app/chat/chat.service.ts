import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { type Observable, Subject } from 'rxjs';

import {
  type AuthUser,
  CHAT_PAGE_DEFAULT,
  type ChatMessage,
  type ChatMessagesPage,
  type RoomMember,
} from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import type { Database } from '../../infra/database/schema';
import {
  type MessageToStore,
  type StoreOutcome,
  type StoredMessage,
  storeMessagesSqlite,
} from './sqlite-messages';

export type SendResult = StoredMessage;

interface MessageRow {
  id: number;
  room_id: string;
  sender_id: number;
  client_id: string;
  content: string;
  created_at: number;
  sender_name: string;
}

function toMessage(row: MessageRow): ChatMessage {
  return {
    id: Number(row.id),
    clientId: row.client_id,
    roomId: row.room_id,
    senderId: Number(row.sender_id),
    senderName: row.sender_name,
    content: row.content,
    timestamp: Number(row.created_at),
  };
}

interface PendingSend extends MessageToStore {
  sender: AuthUser;
  resolve: (result: SendResult) => void;
  reject: (err: unknown) => void;
}

/** Rows per INSERT statement (6 parameters each): within both databases' parameter limits. */
const INSERT_CHUNK = 500;

/**
 * A batch is written as soon as it holds this many sends. Unbounded, a saturated server read
 * thousands of messages in one poll of its sockets and held every one (its handler, promises,
 * payload) until the turn's single write: 14,218 events in flight in a
 * heap snapshot under `npm run bench -- chat --clients 1000 --sat-interval-ms 100`, a heap of
 * ~370 MB, and minor GCs of 10–25 ms every ~20 ms (GC ~30 % of the samples). At 256 rows a
 * batch already gets nearly all of a transaction's saving (SQLite, WAL, synchronous=NORMAL:
 * ~88 µs per row one by one, ~27 at 20 rows, ~19 at 100).
 */
const FLUSH_AT = 256;

/**
 * …and the sends of this long are one batch (a group commit). Each batch pays a commit and
 * Kysely's transaction, BEGIN, INSERT and COMMIT once. At 1,000 messages/s a turn held 1–2 sends
 * and `executeQuery` alone was 11 % of the server's samples (17 % of its busy ones; 5,000
 * clients, `npm run bench -- chat --targets ours --cpu-prof`); with 10 ms it is 4.7 %, and the
 * server's CPU went from 62–63 % to 49 %. A chat message waits 5 ms more on average.
 */
const FLUSH_WINDOW_MS = 10;

const keyOf = (roomId: string, senderId: number, clientId: string) =>
  `${roomId}\u0000${senderId}\u0000${clientId}`;

/**
 * Messages: stored once per `(roomId, sender, clientId)`, read back in pages. Knows nothing of
 * sockets or HTTP; who may read or write is ChatRoomsService's call, made by the edges first.
 */
@Injectable()
export class ChatService {
  private pending: PendingSend[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly stored = new Subject<ChatMessage[]>();
  /** Every batch of newly stored messages (duplicates excluded), once per flush. */
  readonly stored$: Observable<ChatMessage[]> = this.stored.asObservable();

  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  /**
   * Stores a message once per `(roomId, sender, clientId)`: a retry of a message whose ack was
   * lost gets the stored one back, marked as a duplicate. Sends within FLUSH_WINDOW_MS are
   * written together (up to FLUSH_AT at a time): one transaction, one multi-row INSERT … ON
   * CONFLICT DO NOTHING, then one lookup for those that were already stored. Under load that is
   * one commit for hundreds of messages instead of one each (docs/benchmarks.md).
   */
  send(sender: AuthUser, roomId: string, content: string, clientId: string): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      this.pending.push({ sender, roomId, content, clientId, resolve, reject });
      if (this.pending.length >= FLUSH_AT) {
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
        void this.flush();
      } else {
        this.flushTimer ??= setTimeout(() => {
          this.flushTimer = undefined;
          void this.flush();
        }, FLUSH_WINDOW_MS);
      }
    });
  }

  private async flush() {
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    let outcomes: StoreOutcome[];
    try {
      outcomes = await this.write(batch);
    } catch (err) {
      batch.forEach((p) => p.reject(err));
      return;
    }
    const fresh: ChatMessage[] = [];
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if ('error' in outcome) return p.reject(outcome.error);
      p.resolve(outcome);
      if (!outcome.duplicate) fresh.push(outcome.message);
    });
    if (fresh.length) this.stored.next(fresh);
  }

  /** The batch's outcomes, in its order: SQLite directly, PostgreSQL through Kysely. */
  private write(batch: PendingSend[]): Promise<StoreOutcome[]> {
    const now = Date.now();
    const direct = this.database.sqlite;
    if (!direct) return this.writeWithKysely(batch, now);
    return direct.transaction('insert chat_messages', (db) => storeMessagesSqlite(db, batch, now));
  }

  private async writeWithKysely(batch: PendingSend[], now: number): Promise<SendResult[]> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = new Map<string, MessageRow>();
      for (let i = 0; i < batch.length; i += INSERT_CHUNK) {
        const rows = await trx
          .insertInto('chat_messages')
          .values(
            batch.slice(i, i + INSERT_CHUNK).map((p) => ({
              room_id: p.roomId,
              sender_id: p.sender.id,
              client_id: p.clientId,
              content: p.content,
              created_at: now,
            })),
          )
          .onConflict((oc) => oc.columns(['room_id', 'sender_id', 'client_id']).doNothing())
          .returning(['id', 'room_id', 'sender_id', 'client_id', 'content', 'created_at'])
          .execute();
        for (const row of rows) {
          inserted.set(keyOf(row.room_id, Number(row.sender_id), row.client_id), { ...row, sender_name: '' });
        }
      }
      const results: Array<SendResult | undefined> = [];
      const missing: PendingSend[] = [];
      for (const p of batch) {
        const key = keyOf(p.roomId, p.sender.id, p.clientId);
        const row = inserted.get(key);
        if (row) {
          // The first of several sends with one clientId in a batch stores it; the others repeat it.
          inserted.delete(key);
          const message = toMessage({ ...row, sender_name: p.sender.username });
          results.push({ message, duplicate: false });
          inserted.set(`dup:${key}`, { ...row, sender_name: p.sender.username });
        } else {
          const repeat = inserted.get(`dup:${key}`);
          results.push(repeat ? { message: toMessage(repeat), duplicate: true } : undefined);
          if (!repeat) missing.push(p);
        }
      }
      if (missing.length) {
        const stored = new Map<string, ChatMessage>();
        for (let i = 0; i < missing.length; i += INSERT_CHUNK) {
          const part = missing.slice(i, i + INSERT_CHUNK);
          const rows = await messagesOf(trx)
            .where((eb) =>
              eb.or(
                part.map((p) =>
                  eb.and([
                    eb('c.room_id', '=', p.roomId),
                    eb('c.sender_id', '=', p.sender.id),
                    eb('c.client_id', '=', p.clientId),
                  ]),
                ),
              ),
            )
            .execute();
          for (const row of rows)
            stored.set(keyOf(row.room_id, Number(row.sender_id), row.client_id), toMessage(row));
        }
        batch.forEach((p, i) => {
          if (results[i]) return;
          const message = stored.get(keyOf(p.roomId, p.sender.id, p.clientId));
          if (!message) throw new Error(`message ${p.clientId} neither stored nor found`);
          results[i] = { message, duplicate: true };
        });
      }
      return results as SendResult[];
    });
  }

  /**
   * Messages older than `before` (a message id), at most `limit`, oldest first, with the
   * cursor of the next older page.
   */
  async history(
    roomId: string,
    { before, limit = CHAT_PAGE_DEFAULT }: { before?: number; limit?: number } = {},
  ): Promise<ChatMessagesPage> {
    let query = this.messages().where('c.room_id', '=', roomId);
    if (before !== undefined) query = query.where('c.id', '<', before);
    const rows = await query
      .orderBy('c.id', 'desc')
      .limit(limit + 1)
      .execute();
    const more = rows.length > limit;
    const items = rows.slice(0, limit).reverse().map(toMessage);
    return { items, nextCursor: more && items.length ? String(items[0].id) : null };
  }

  /** Stored members by name, flagged online when their id is in `online`. */
  async members(roomId: string, online: ReadonlySet<number>): Promise<RoomMember[]> {
    const rows = await this.db
      .selectFrom('room_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.username'])
      .where('m.room_id', '=', roomId)
      .orderBy('u.username')
      .execute();
    return rows.map((r) => ({
      userId: Number(r.id),
      username: r.username,
      online: online.has(Number(r.id)),
    }));
  }

  private messages() {
    return messagesOf(this.db);
  }
}

function messagesOf(db: Pick<Kysely<Database>, 'selectFrom'>) {
  return db
    .selectFrom('chat_messages as c')
    .innerJoin('users as u', 'u.id', 'c.sender_id')
    .select([
      'c.id',
      'c.room_id',
      'c.sender_id',
      'c.client_id',
      'c.content',
      'c.created_at',
      'u.username as sender_name',
    ]);
}
