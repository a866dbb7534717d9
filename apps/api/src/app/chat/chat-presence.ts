import { Injectable, Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';

import type { AuthUser, ChatServerEvents, Role, RoomMember, SessionUser } from '@realtime/contracts';

import { ChatRoomsService, chunks } from './chat-rooms.service';

/** socket.io room names: one per chat room, one per user (all of that user's sockets). */
const ROOM_PREFIX = 'room:';
export const roomChannel = (roomId: string) => `${ROOM_PREFIX}${roomId}`;
export const userChannel = (userId: number) => `user:${userId}`;
export const chatRoomsOf = (rooms: Iterable<string>) =>
  [...rooms].filter((r) => r.startsWith(ROOM_PREFIX)).map((r) => r.slice(ROOM_PREFIX.length));

/** What a socket carries; plain data, so that `fetchSockets()` can ship it between instances. */
export interface ChatSocketData {
  user: SessionUser;
  /** The user's role when the socket connected (or last renewed its token). */
  role: Role;
  /** Expiry of the token the socket is authenticated with, epoch seconds. */
  tokenExp: number;
  /** The browser session of that token, if any: signing it out disconnects the socket. */
  sessionId?: string;
}

export type ChatNamespace = Namespace<
  Record<string, never>,
  ChatServerEvents,
  Record<string, never>,
  ChatSocketData
>;

/** Rooms whose presence one batch computes: one fetchSockets and one members query each. */
export const PRESENCE_BATCH_ROOMS = 500;

/**
 * Who is in a room, and telling its members. Online flags come from the sockets in the room
 * (across instances through the adapter's `fetchSockets`), names from the stored members.
 *
 * A disconnect can empty hundreds of rooms at once (a socket may hold ROOMS_JOINED_MAX rooms,
 * and a user several sockets): those rooms are queued and sent in batches, each with ONE
 * `fetchSockets` over all of its rooms and ONE members query, yielding to the event loop in
 * between, so a user leaving thousands of rooms costs everyone else a few milliseconds at a
 * time rather than seconds (the issue measured 16.5 s for 20,000 rooms done one by one).
 * Disconnects of one turn share a batch; a room is sent once per batch.
 */
@Injectable()
export class ChatPresence {
  private readonly logger = new Logger(ChatPresence.name);
  private server: ChatNamespace | undefined;
  private queued = new Map<string, Set<number>>();
  private running = false;
  /** Resolves when the queue is empty (tests and shutdown). */
  private idle: Promise<void> = Promise.resolve();
  private onIdle: (() => void) | undefined;

  constructor(private readonly rooms: ChatRoomsService) {}

  attach(server: ChatNamespace) {
    this.server = server;
  }

  /** Members of one room with online flags: for a join's ack and its presence event. */
  async membersOf(roomId: string): Promise<RoomMember[]> {
    const online = await this.onlineIn([roomId]);
    const stored = await this.rooms.membersOf([roomId]);
    return withOnline(stored.get(roomId) ?? [], online.get(roomId));
  }

  /** Sends one room's presence now (join, leave, invite). */
  async broadcast(roomId: string): Promise<void> {
    try {
      const members = await this.membersOf(roomId);
      this.server?.to(roomChannel(roomId)).emit('presence', { roomId, members });
    } catch (err) {
      this.logger.error(`presence for ${roomId} failed: ${(err as Error).message}`);
    }
  }

  /** An archived or deleted room: every socket in it, on every instance, leaves it. */
  closeRoom(roomId: string): void {
    this.server?.in(roomChannel(roomId)).socketsLeave(roomChannel(roomId));
  }

  /**
   * `userId` went away from `roomIds` (a socket closed): queue their presence. Rooms where the
   * user still has a socket are skipped when the batch runs (their flag did not change).
   */
  left(userId: number, roomIds: readonly string[]): void {
    for (const roomId of roomIds) {
      let users = this.queued.get(roomId);
      if (!users) this.queued.set(roomId, (users = new Set()));
      users.add(userId);
    }
    if (!this.running && this.queued.size) {
      this.running = true;
      this.idle = new Promise((resolve) => (this.onIdle = resolve));
      setImmediate(() => void this.drain());
    }
  }

  whenIdle(): Promise<void> {
    return this.idle;
  }

  private async drain() {
    try {
      while (this.queued.size) {
        const batch = new Map<string, Set<number>>();
        for (const [roomId, users] of this.queued) {
          batch.set(roomId, users);
          this.queued.delete(roomId);
          if (batch.size >= PRESENCE_BATCH_ROOMS) break;
        }
        await this.sendBatch(batch);
        // Other clients' events run between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
      this.onIdle?.();
      if (this.queued.size) this.left(0, []); // queued while finishing: run again
    }
  }

  private async sendBatch(batch: Map<string, Set<number>>) {
    const roomIds = [...batch.keys()];
    try {
      const online = await this.onlineIn(roomIds);
      const changed = roomIds.filter((roomId) => {
        const here = online.get(roomId);
        // A user who left but is still in the room through another socket changes nothing.
        return [...(batch.get(roomId) ?? [])].some((u) => !here?.has(u));
      });
      if (!changed.length) return;
      const stored = await this.rooms.membersOf(changed);
      for (const roomId of changed) {
        const members = withOnline(stored.get(roomId) ?? [], online.get(roomId));
        this.server?.to(roomChannel(roomId)).emit('presence', { roomId, members });
      }
    } catch (err) {
      this.logger.error(`presence for ${roomIds.length} rooms failed: ${(err as Error).message}`);
    }
  }

  /**
   * Online user ids per room: one `fetchSockets` over all the rooms (each socket says which
   * rooms it is in). This instance's sockets only when the others cannot be asked (Redis down).
   */
  private async onlineIn(roomIds: readonly string[]): Promise<Map<string, Set<number>>> {
    const out = new Map<string, Set<number>>();
    if (!this.server) return out;
    const wanted = new Set(roomIds);
    for (const part of chunks(roomIds, PRESENCE_BATCH_ROOMS)) {
      const channels = part.map(roomChannel);
      let sockets: Array<{ rooms: Set<string>; data: { user: AuthUser } }>;
      try {
        sockets = await this.server.in(channels).fetchSockets();
      } catch (err) {
        this.logger.warn(`online members from this instance only: ${(err as Error).message}`);
        sockets = await this.server.local.in(channels).fetchSockets();
      }
      for (const socket of sockets) {
        for (const roomId of chatRoomsOf(socket.rooms)) {
          if (!wanted.has(roomId)) continue;
          let users = out.get(roomId);
          if (!users) out.set(roomId, (users = new Set()));
          users.add(socket.data.user.id);
        }
      }
    }
    return out;
  }
}

function withOnline(
  members: Array<{ userId: number; username: string }>,
  online: ReadonlySet<number> | undefined,
): RoomMember[] {
  return members.map((m) => ({ ...m, online: online?.has(m.userId) ?? false }));
}
