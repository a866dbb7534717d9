import { randomBytes } from 'node:crypto';

import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { sql } from 'kysely';

import {
  type AuthUser,
  DEFAULT_ROOMS,
  type RoomKind,
  type RoomMember,
  ROOMS_PAGE_DEFAULT,
  type RoomSummary,
} from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, isUniqueViolation } from '../../infra/database/database.provider';
import { ChatError } from './chat-error';
import { checkRoomName, foldRoomName, slugOf } from './room-name';

export interface Room {
  id: string;
  name: string;
  kind: RoomKind;
  ownerId: number | null;
  archivedAt: number | null;
}

/** Rooms a batched query takes at once: far below SQLite's and PostgreSQL's parameter limits. */
export const ROOMS_PER_QUERY = 500;

/** Admins manage (and may join, list and read) any room; every other role only its own. */
export function isAdmin(user: AuthUser): boolean {
  return (user as AuthUser & { role?: string }).role === 'admin';
}

export function chunks<T>(items: readonly T[], size = ROOMS_PER_QUERY): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Rooms and who may do what in them: public rooms are listed and open to anyone, private ones
 * exist only for their members (and admins); creation checks the name and the per-user caps;
 * membership is stored, with a read marker for unread counts. Knows nothing of sockets or HTTP:
 * refusals are ChatErrors with the socket code.
 */
@Injectable()
export class ChatRoomsService implements OnModuleInit {
  private readonly logger = new Logger(ChatRoomsService.name);

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get db() {
    return this.database.db;
  }

  private get limits() {
    return this.config.chat;
  }

  async onModuleInit() {
    for (const id of DEFAULT_ROOMS) {
      await this.db
        .insertInto('rooms')
        .values({ id, name: id, name_key: foldRoomName(id), kind: 'public', created_at: Date.now() })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await this.backfillNames();
  }

  /** Rooms stored before 0003 (or by an older instance) get their id as name and its key. */
  private async backfillNames() {
    const rows = await this.db.selectFrom('rooms').select('id').where('name_key', 'is', null).execute();
    for (const { id } of rows) {
      try {
        await this.db
          .updateTable('rooms')
          .set({ name: id, name_key: foldRoomName(id) })
          .where('id', '=', id)
          .execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        // Two old ids that fold alike: the later keeps its id as a unique key.
        await this.db
          .updateTable('rooms')
          .set({ name: id, name_key: `id:${id}` })
          .where('id', '=', id)
          .execute();
      }
    }
    if (rows.length) this.logger.log(`named ${rows.length} rooms from before room names`);
  }

  async find(roomId: string): Promise<Room | undefined> {
    const row = await this.db
      .selectFrom('rooms')
      .select(['id', 'name', 'kind', 'owner_id', 'archived_at'])
      .where('id', '=', roomId)
      .executeTakeFirst();
    return row ? toRoom(row) : undefined;
  }

  /** The room and whether `user` is a member, in one query; NOT_FOUND when they may not see it. */
  async visible(user: AuthUser, roomId: string): Promise<{ room: Room; member: boolean }> {
    const row = await this.db
      .selectFrom('rooms as r')
      .leftJoin('room_members as m', (j) => j.onRef('m.room_id', '=', 'r.id').on('m.user_id', '=', user.id))
      .select(['r.id', 'r.name', 'r.kind', 'r.owner_id', 'r.archived_at', 'm.user_id as member'])
      .where('r.id', '=', roomId)
      .executeTakeFirst();
    const member = row?.member !== null && row?.member !== undefined;
    if (!row || (row.kind === 'private' && !member && !isAdmin(user))) throw notFound(roomId);
    return { room: toRoom(row), member };
  }

  /** Members only: what history and presence need. NOT_FOUND for others (nothing revealed). */
  async assertMember(user: AuthUser, roomId: string): Promise<Room> {
    const { room, member } = await this.visible(user, roomId);
    if (!member) {
      if (room.kind === 'private') throw notFound(roomId);
      throw new ChatError('NOT_MEMBER', `Join room ${roomId} first`);
    }
    return room;
  }

  /**
   * Creates a room owned by `owner`, who becomes its first member. `id` is given when `join`
   * creates a room under the id it was asked for; otherwise it comes from the name.
   */
  async create(owner: AuthUser, request: { name: string; kind: RoomKind; id?: string }): Promise<Room> {
    const checked = checkRoomName(request.name);
    if (!checked.ok) throw new ChatError('BAD_REQUEST', checked.message);
    const [owned, joined] = await Promise.all([this.ownedCount(owner.id), this.joinedCount(owner.id)]);
    if (owned >= this.limits.roomsCreatedMax) {
      throw new ChatError('LIMIT_REACHED', `You own ${owned} rooms, the most allowed: delete one first`, {
        limit: this.limits.roomsCreatedMax,
      });
    }
    if (joined >= this.limits.roomsJoinedMax) throw this.joinedCap(joined);
    const now = Date.now();
    const base = request.id ?? slugOf(checked.name);
    for (let attempt = 0; ; attempt++) {
      const id = attempt === 0 ? base : `${base.slice(0, 40)}-${randomBytes(3).toString('hex')}`;
      try {
        await this.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('rooms')
            .values({
              id,
              name: checked.name,
              name_key: checked.key,
              kind: request.kind,
              owner_id: owner.id,
              created_at: now,
            })
            .execute();
          await trx
            .insertInto('room_members')
            .values({ room_id: id, user_id: owner.id, joined_at: now })
            .execute();
        });
        return { id, name: checked.name, kind: request.kind, ownerId: owner.id, archivedAt: null };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const byKey = await this.db
          .selectFrom('rooms')
          .select(['id', 'kind'])
          .where('name_key', '=', checked.key)
          .executeTakeFirst();
        if (byKey) {
          // The room asked for by id exists now (created by a concurrent join): not a clash.
          if (request.id && byKey.id === request.id) return (await this.find(request.id)) as Room;
          throw new ChatError(
            'NAME_TAKEN',
            byKey.kind === 'private'
              ? 'name: looks like the name of an existing room; choose another'
              : `name: looks like the name of the existing room "${byKey.id}"; choose another`,
          );
        }
        if (request.id) {
          const existing = await this.find(request.id);
          if (existing) return existing;
        }
        if (request.id || attempt >= 5) throw err;
      }
    }
  }

  /**
   * Stores `user` as a member (idempotent). Unknown rooms are created when JOIN creates rooms
   * (public, named after the id); private rooms need an invite, archived ones are closed.
   * `created` is true when this call made the room.
   */
  async join(
    user: AuthUser,
    roomId: string,
    { beforeCreate }: { beforeCreate?: () => Promise<void> } = {},
  ): Promise<{ room: Room; created: boolean; wasMember: boolean }> {
    let found: { room: Room; member: boolean };
    try {
      found = await this.visible(user, roomId);
    } catch (err) {
      if (!(err instanceof ChatError) || !this.limits.joinCreatesRooms) throw err;
      if (await this.find(roomId)) throw err; // private: not found for this user
      await beforeCreate?.();
      const room = await this.create(user, { name: roomId, kind: 'public', id: roomId });
      if (room.ownerId === user.id) return { room, created: true, wasMember: false };
      // Another user's join created it a moment ago: join it like any other.
      found = await this.visible(user, roomId);
    }
    const { room, member } = found;
    if (room.archivedAt !== null) throw new ChatError('ARCHIVED', `Room ${roomId} is archived`);
    if (member) return { room, created: false, wasMember: true };
    await this.addMember(room.id, user.id);
    return { room, created: false, wasMember: false };
  }

  /** Adds `userId` to a room under the joined-rooms cap; a no-op when already a member. */
  private async addMember(roomId: string, userId: number, lastReadId?: number) {
    const joined = await this.joinedCount(userId);
    if (joined >= this.limits.roomsJoinedMax) throw this.joinedCap(joined);
    await this.db
      .insertInto('room_members')
      .values({ room_id: roomId, user_id: userId, joined_at: Date.now(), last_read_id: lastReadId ?? 0 })
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

  /** A member (or an admin) adds another user to the room: how private rooms get members. */
  async invite(actor: AuthUser, roomId: string, username: string): Promise<RoomMember> {
    const { room, member } = await this.visible(actor, roomId);
    if (!member && !isAdmin(actor)) {
      throw new ChatError('FORBIDDEN', `Only members of ${roomId} (or an admin) may invite`);
    }
    if (room.archivedAt !== null) throw new ChatError('ARCHIVED', `Room ${roomId} is archived`);
    const invitee = await this.db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('username', '=', username)
      .executeTakeFirst();
    if (!invitee) throw new ChatError('NOT_FOUND', `No user ${JSON.stringify(username)}`);
    const id = Number(invitee.id);
    const already = await this.db
      .selectFrom('room_members')
      .select('user_id')
      .where('room_id', '=', roomId)
      .where('user_id', '=', id)
      .executeTakeFirst();
    if (!already) {
      try {
        await this.addMember(roomId, id);
      } catch (err) {
        if (err instanceof ChatError && err.code === 'LIMIT_REACHED') {
          throw new ChatError('LIMIT_REACHED', `${invitee.username} is in as many rooms as allowed`, {
            limit: this.limits.roomsJoinedMax,
          });
        }
        throw err;
      }
    }
    return { userId: id, username: invitee.username, online: false };
  }

  /** Owner or admin: the room stays readable by its members and takes no joins or messages. */
  async archive(actor: AuthUser, roomId: string): Promise<Room> {
    const room = await this.managed(actor, roomId);
    const archivedAt = room.archivedAt ?? Date.now();
    await this.db.updateTable('rooms').set({ archived_at: archivedAt }).where('id', '=', roomId).execute();
    return { ...room, archivedAt };
  }

  /** Owner or admin: the room, its members and its messages go. */
  async remove(actor: AuthUser, roomId: string): Promise<void> {
    const room = await this.managed(actor, roomId);
    if ((DEFAULT_ROOMS as readonly string[]).includes(room.id)) {
      throw new ChatError('FORBIDDEN', `${room.id} is a default room and cannot be deleted`);
    }
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('chat_messages').where('room_id', '=', roomId).execute();
      await trx.deleteFrom('room_members').where('room_id', '=', roomId).execute();
      await trx.deleteFrom('rooms').where('id', '=', roomId).execute();
    });
  }

  private async managed(actor: AuthUser, roomId: string): Promise<Room> {
    const { room } = await this.visible(actor, roomId);
    if (room.ownerId !== actor.id && !isAdmin(actor)) {
      throw new ChatError('FORBIDDEN', `Only the owner of ${roomId} or an admin may do that`);
    }
    return room;
  }

  /**
   * One page of the rooms `user` may see (public ones, private ones they belong to; every room
   * for an admin), by id, with member counts, last message time and the caller's unread count.
   */
  async list(
    user: AuthUser,
    { cursor, limit = ROOMS_PAGE_DEFAULT }: { cursor?: string; limit?: number } = {},
  ): Promise<{ rooms: RoomSummary[]; nextCursor: string | null }> {
    let query = this.db
      .selectFrom('rooms as r')
      .leftJoin('room_members as j', (jn) => jn.onRef('j.room_id', '=', 'r.id').on('j.user_id', '=', user.id))
      .select((eb) => [
        'r.id',
        'r.name',
        'r.kind',
        'r.owner_id',
        'r.archived_at',
        'j.user_id as joined',
        'j.last_read_id',
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
      ]);
    if (!isAdmin(user)) {
      query = query.where((eb) => eb.or([eb('r.kind', '=', 'public'), eb('j.user_id', 'is not', null)]));
    }
    if (cursor !== undefined) query = query.where('r.id', '>', cursor);
    const rows = await query
      .orderBy('r.id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const unread = await this.unreadCounts(
      user.id,
      page.filter((r) => r.joined !== null && r.joined !== undefined).map((r) => r.id),
    );
    return {
      rooms: page.map((r) => ({
        ...toRoomSummaryBase(r),
        members: Number(r.members ?? 0),
        lastMessageAt:
          r.last_message_at === null || r.last_message_at === undefined ? null : Number(r.last_message_at),
        joined: r.joined !== null && r.joined !== undefined,
        unread: unread[r.id] ?? 0,
      })),
      nextCursor: rows.length > limit && page.length ? page[page.length - 1].id : null,
    };
  }

  /** Unread messages (by others, after the read marker) per room of `userId`; all rooms when none given. */
  async unreadCounts(userId: number, roomIds?: string[]): Promise<Record<string, number>> {
    if (roomIds && !roomIds.length) return {};
    const out: Record<string, number> = {};
    for (const part of roomIds ? chunks(roomIds) : [undefined]) {
      let query = this.db
        .selectFrom('room_members as m')
        .innerJoin('chat_messages as c', (j) =>
          j
            .onRef('c.room_id', '=', 'm.room_id')
            .onRef('c.id', '>', 'm.last_read_id')
            .onRef('c.sender_id', '<>', 'm.user_id'),
        )
        .select((eb) => ['m.room_id', eb.fn.countAll<number>().as('n')])
        .where('m.user_id', '=', userId)
        .groupBy('m.room_id');
      if (part) query = query.where('m.room_id', 'in', part);
      for (const row of await query.execute()) out[row.room_id] = Number(row.n);
    }
    return out;
  }

  /** Moves the read marker forward (never back); NOT_FOUND when not a member. */
  async markRead(user: AuthUser, roomId: string, messageId?: number): Promise<void> {
    const latest = sql<number>`(select coalesce(max(c.id), 0) from chat_messages c where c.room_id = ${roomId})`;
    const result = await this.db
      .updateTable('room_members')
      .set({
        last_read_id:
          messageId === undefined
            ? latest
            : sql<number>`case when last_read_id < ${messageId} then ${messageId} else last_read_id end`,
      })
      .where('room_id', '=', roomId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) await this.assertMember(user, roomId);
  }

  /** Stored members of each room, by name (one query per ROOMS_PER_QUERY rooms). */
  async membersOf(
    roomIds: readonly string[],
  ): Promise<Map<string, Array<{ userId: number; username: string }>>> {
    const out = new Map<string, Array<{ userId: number; username: string }>>();
    for (const id of roomIds) out.set(id, []);
    for (const part of chunks(roomIds)) {
      const rows = await this.db
        .selectFrom('room_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['m.room_id', 'u.id', 'u.username'])
        .where('m.room_id', 'in', part)
        .orderBy('m.room_id')
        .orderBy('u.username')
        .execute();
      for (const r of rows) out.get(r.room_id)?.push({ userId: Number(r.id), username: r.username });
    }
    return out;
  }

  private async ownedCount(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom('rooms')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('owner_id', '=', userId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  private async joinedCount(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom('room_members')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  private joinedCap(joined: number) {
    return new ChatError('LIMIT_REACHED', `You are in ${joined} rooms, the most allowed: leave one first`, {
      limit: this.limits.roomsJoinedMax,
    });
  }
}

function notFound(roomId: string) {
  return new ChatError('NOT_FOUND', `No room ${roomId}`);
}

interface RoomRowish {
  id: string;
  name: string | null;
  kind: string;
  owner_id: number | null;
  archived_at: number | null;
}

function toRoom(row: RoomRowish): Room {
  return {
    id: row.id,
    name: row.name ?? row.id,
    kind: row.kind === 'private' ? 'private' : 'public',
    ownerId: row.owner_id === null ? null : Number(row.owner_id),
    archivedAt: row.archived_at === null ? null : Number(row.archived_at),
  };
}

function toRoomSummaryBase(row: RoomRowish) {
  return toRoom(row);
}
