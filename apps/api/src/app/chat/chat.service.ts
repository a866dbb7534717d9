import { Inject, Injectable, OnModuleInit } from '@nestjs/common';

import {
  type AuthUser,
  CHAT_PAGE_DEFAULT,
  type ChatMessage,
  type ChatMessagesPage,
  DEFAULT_ROOMS,
  type RoomMember,
  type RoomSummary,
} from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, isUniqueViolation } from '../../infra/database/database.provider';

export interface SendResult {
  message: ChatMessage;
  /** True when `(roomId, sender, clientId)` was already stored: nothing new was written. */
  duplicate: boolean;
}

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

/** Rooms, stored membership and messages; knows nothing of sockets or HTTP. */
@Injectable()
export class ChatService implements OnModuleInit {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  async onModuleInit() {
    for (const roomId of DEFAULT_ROOMS) await this.ensureRoom(roomId);
  }

  /** Creates the room if it does not exist; safe when several instances race. */
  async ensureRoom(roomId: string): Promise<void> {
    await this.db
      .insertInto('rooms')
      .values({ id: roomId, created_at: Date.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async roomExists(roomId: string): Promise<boolean> {
    const row = await this.db.selectFrom('rooms').select('id').where('id', '=', roomId).executeTakeFirst();
    return !!row;
  }

  /** Stores the membership (creating the room on first join); joining twice is a no-op. */
  async join(roomId: string, userId: number): Promise<void> {
    await this.ensureRoom(roomId);
    await this.db
      .insertInto('room_members')
      .values({ room_id: roomId, user_id: userId, joined_at: Date.now() })
      .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
      .execute();
  }

  /** Drops the membership; true when there was one. */
  async leave(roomId: string, userId: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('room_members')
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async isMember(roomId: string, userId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('room_members')
      .select('user_id')
      .where('room_id', '=', roomId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return !!row;
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

  /**
   * Stores a message once per `(roomId, sender, clientId)`: a retry of a message whose ack was
   * lost gets the stored one back, marked as a duplicate. The insert comes first and the unique
   * key catches a repeat: one query per message instead of a lookup and an insert.
   */
  async send(sender: AuthUser, roomId: string, content: string, clientId: string): Promise<SendResult> {
    try {
      const row = await this.db
        .insertInto('chat_messages')
        .values({
          room_id: roomId,
          sender_id: sender.id,
          client_id: clientId,
          content,
          created_at: Date.now(),
        })
        .returning(['id', 'room_id', 'sender_id', 'client_id', 'content', 'created_at'])
        .executeTakeFirstOrThrow();
      return { message: toMessage({ ...row, sender_name: sender.username }), duplicate: false };
    } catch (err) {
      // A retry of a stored message, or two sends of the same clientId that raced.
      if (!isUniqueViolation(err)) throw err;
      const winner = await this.findByClientId(roomId, sender.id, clientId);
      if (!winner) throw err;
      return { message: winner, duplicate: true };
    }
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

  /** Every room with its member count, last message time and whether `userId` is a member. */
  async rooms(userId: number): Promise<RoomSummary[]> {
    const rows = await this.db
      .selectFrom('rooms as r')
      .select((eb) => [
        'r.id',
        eb
          .selectFrom('room_members as m')
          .whereRef('m.room_id', '=', 'r.id')
          .select((e) => e.fn.countAll<number>().as('n'))
          .as('members'),
        eb
          .selectFrom('chat_messages as c')
          .whereRef('c.room_id', '=', 'r.id')
          .select((e) => e.fn.max('c.created_at').as('t'))
          .as('last_message_at'),
        eb
          .exists(
            eb
              .selectFrom('room_members as j')
              .whereRef('j.room_id', '=', 'r.id')
              .where('j.user_id', '=', userId)
              .select('j.user_id'),
          )
          .as('joined'),
      ])
      .orderBy('r.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      members: Number(r.members ?? 0),
      lastMessageAt:
        r.last_message_at === null || r.last_message_at === undefined ? null : Number(r.last_message_at),
      joined: Boolean(r.joined),
    }));
  }

  private findByClientId(
    roomId: string,
    senderId: number,
    clientId: string,
  ): Promise<ChatMessage | undefined> {
    return this.messages()
      .where('c.room_id', '=', roomId)
      .where('c.sender_id', '=', senderId)
      .where('c.client_id', '=', clientId)
      .executeTakeFirst()
      .then((row) => (row ? toMessage(row) : undefined));
  }

  private messages() {
    return this.db
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
}
