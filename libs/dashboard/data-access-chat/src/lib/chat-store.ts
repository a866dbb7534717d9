import { DOCUMENT } from '@angular/common';
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, InjectionToken, computed, effect, inject, signal } from '@angular/core';
import { EMPTY, Observable, catchError, finalize, ignoreElements, merge, tap } from 'rxjs';

import {
  CHAT_CONTENT_MAX,
  type ChatAck,
  type ChatMessage,
  type ChatMessagesPage,
  type ChatRoomsResponse,
  DEFAULT_ROOMS,
  type JoinAck,
  type RoomKind,
  type RoomMember,
  type RoomSummary,
} from '@realtime/contracts';
import { AuthStore } from '@realtime/dashboard/data-access-api';
import { ChatUnreadStore } from '@realtime/dashboard/data-access-notifications';
import {
  BACKOFF_POLICY,
  CLOCK,
  type ConnectionState,
  ONLINE_STATUS,
  PAGE_VISIBLE,
  REALTIME_SCHEDULER,
} from '@realtime/dashboard/data-access-realtime';

import { type ChatSocketEvent, createChatConnection } from './chat-connection';
import { CHAT_SOCKET_FACTORY, type ChatSocket } from './chat-socket';
import { mergeMessages } from './messages';
import { Outbox, type OutboxEntry, newClientId } from './outbox';

/** Where the outbox and read marks survive a reload: localStorage (shared by the user's tabs). */
export const CHAT_STORAGE = new InjectionToken<Storage | null>('CHAT_STORAGE', {
  providedIn: 'root',
  factory: () => (typeof localStorage === 'undefined' ? null : localStorage),
});

/** How long an acknowledgement may take before the socket is considered dead. */
export const CHAT_ACK_TIMEOUT_MS = 10_000;
/** A typing indicator is renewed this often while the user keeps typing… */
const TYPING_RENEW_MS = 2_000;
/** …and withdrawn after this long without a keystroke. */
const TYPING_IDLE_MS = 3_000;

export interface RoomView {
  id: string;
  name: string;
  kind: RoomKind;
  unread: number;
  active: boolean;
}

/** A public room the user is not in yet: listed to join. */
export interface OtherRoom {
  id: string;
  name: string;
  members: number;
}

/** What the last room action (create, invite, load earlier) came to, for the page to say. */
export interface RoomActionResult {
  ok: boolean;
  message: string;
}

/** A message on screen: stored by the server, or still in the outbox. */
export type ChatLine =
  | { kind: 'message'; message: ChatMessage; mine: boolean }
  | { kind: 'outbox'; entry: OutboxEntry };

type ByRoom<T> = Readonly<Record<string, T>>;

/**
 * The chat page's state. Provide it in the page: `connect()` opens the socket for as long as it
 * is subscribed. It joins the user's rooms (the default ones and those they are a member of),
 * re-joins them after each reconnect, merges history and live messages by id, pages back through
 * history, and sends the outbox in order, one message at a time, each with its stable `clientId`.
 * Unread counts are the app-wide ChatUnreadStore's (the server's); this page moves the marker.
 */
@Injectable()
export class ChatStore {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthStore);
  private readonly unread = inject(ChatUnreadStore);
  private readonly storage = inject(CHAT_STORAGE);
  private readonly clock = inject(CLOCK);
  private readonly me = this.auth.user();
  private readonly connection = createChatConnection({
    factory: inject(CHAT_SOCKET_FACTORY),
    token: () => this.auth.token,
    sessionRejected: () => this.auth.sessionRejected(),
    online$: inject(ONLINE_STATUS),
    visible$: inject(PAGE_VISIBLE),
    policy: inject(BACKOFF_POLICY),
    scheduler: inject(REALTIME_SCHEDULER),
    clock: this.clock,
  });
  private readonly outbox = new Outbox(this.storage, `rt.chat.outbox.${this.me?.id ?? 'anon'}`);
  private readonly readKey = `rt.chat.read.${this.me?.id ?? 'anon'}`;

  private socket: ChatSocket | null = null;
  private flushing = false;
  private flushAgain = false;
  private typingRoom: string | null = null;
  private typingSentAt = 0;
  private typingIdle: ReturnType<typeof setTimeout> | undefined;

  private readonly roomIds = signal<string[]>([...DEFAULT_ROOMS]);
  private readonly summaries = signal<ByRoom<RoomSummary>>({});
  /** `?before=` cursor of the next older page per room; null when the start is reached. */
  private readonly cursors = signal<ByRoom<string | null>>({});
  readonly loadingEarlier = signal(false);
  readonly lastAction = signal<RoomActionResult | null>(null);
  private readonly messagesByRoom = signal<ByRoom<ChatMessage[]>>({});
  private readonly membersByRoom = signal<ByRoom<RoomMember[]>>({});
  private readonly typingByRoom = signal<ByRoom<Readonly<Record<number, string>>>>({});
  private readonly outboxEntries = signal<readonly OutboxEntry[]>(this.outbox.entries);
  private readonly lastRead = signal<ByRoom<number>>(this.loadRead());

  readonly state = signal<ConnectionState>({ kind: 'idle' });
  readonly activeRoom = signal<string>(DEFAULT_ROOMS[0]);
  readonly user = this.me;

  readonly rooms = computed<RoomView[]>(() => {
    const active = this.activeRoom();
    const counts = this.unread.counts();
    const summaries = this.summaries();
    return this.roomIds().map((id) => ({
      id,
      name: summaries[id]?.name ?? id,
      kind: summaries[id]?.kind ?? 'public',
      active: id === active,
      unread: id === active ? 0 : (counts[id] ?? 0),
    }));
  });

  /** Public rooms to join (listed by the server, not joined yet). */
  readonly otherRooms = computed<OtherRoom[]>(() => {
    const mine = new Set(this.roomIds());
    return Object.values(this.summaries())
      .filter((r) => !mine.has(r.id) && !r.archivedAt)
      .map((r) => ({ id: r.id, name: r.name, members: r.members }));
  });

  readonly activeSummary = computed<RoomSummary | null>(() => this.summaries()[this.activeRoom()] ?? null);
  /** Whether older messages than those shown exist for the active room. */
  readonly hasEarlier = computed(() => !!this.cursors()[this.activeRoom()]);

  readonly lines = computed<ChatLine[]>(() => {
    const room = this.activeRoom();
    const messages = this.messagesByRoom()[room] ?? [];
    const delivered = new Set(messages.filter((m) => m.senderId === this.me?.id).map((m) => m.clientId));
    return [
      ...messages.map(
        (message): ChatLine => ({ kind: 'message', message, mine: message.senderId === this.me?.id }),
      ),
      ...this.outboxEntries()
        .filter((e) => e.roomId === room && !delivered.has(e.clientId))
        .map((entry): ChatLine => ({ kind: 'outbox', entry })),
    ];
  });

  /** Online first, then by name. */
  readonly members = computed<RoomMember[]>(() =>
    [...(this.membersByRoom()[this.activeRoom()] ?? [])].sort(
      (a, b) => Number(b.online) - Number(a.online) || a.username.localeCompare(b.username),
    ),
  );

  readonly typing = computed<string[]>(() =>
    Object.values(this.typingByRoom()[this.activeRoom()] ?? {}).sort(),
  );
  readonly outboxCount = computed(() => this.outboxEntries().length);

  constructor() {
    // The user's other tabs share the outbox: show and send what they queued too (each entry
    // keeps its clientId, so a message that two tabs send is still stored and delivered once).
    const win = inject(DOCUMENT).defaultView;
    const onStorage = (e: StorageEvent) => {
      if (e.key !== this.outbox.key || !this.outbox.refresh()) return;
      this.syncOutbox();
      void this.flush();
    };
    win?.addEventListener('storage', onStorage);
    // A renewed access token (this tab's or another's) moves the open socket's expiry in-band,
    // so the socket carries on across renewals instead of being closed at the old token's expiry.
    effect(() => {
      const token = this.auth.accessToken();
      if (token) this.socket?.request('auth', { token }, CHAT_ACK_TIMEOUT_MS).catch(() => undefined);
    });
    inject(DestroyRef).onDestroy(() => {
      clearTimeout(this.typingIdle);
      win?.removeEventListener('storage', onStorage);
    });
  }

  /** Subscribe to be connected; unsubscribe closes the socket and cancels pending reconnects. */
  connect(): Observable<never> {
    const rooms$ = this.http.get<ChatRoomsResponse>('/api/chat/rooms?limit=100').pipe(
      tap((res) => this.setSummaries(res.rooms)),
      catchError(() => EMPTY),
    );
    this.unread.setViewing(this.activeRoom());
    const state$ = this.connection.state$.pipe(
      tap((s) => {
        this.state.set(s);
        if (s.kind !== 'connected') this.lost();
      }),
    );
    const events$ = this.connection.events$.pipe(tap((e) => this.handle(e)));
    return merge(rooms$, state$, events$).pipe(
      ignoreElements(),
      finalize(() => this.unread.setViewing(null)),
    );
  }

  /** Creates a room (private ones are how a team gets a room of its own) and opens it. */
  createRoom(name: string, kind: RoomKind): void {
    this.http.post<RoomSummary>('/api/chat/rooms', { name, kind }).subscribe({
      next: (room) => {
        this.setSummaries([room]);
        this.addRooms([room.id]);
        this.selectRoom(room.id);
        this.lastAction.set({ ok: true, message: `Created ${kind} room ${room.name}` });
      },
      error: (err: unknown) => this.lastAction.set({ ok: false, message: messageOf(err) }),
    });
  }

  /** Adds a user to the active room (members of a private room may invite). */
  invite(username: string): void {
    const roomId = this.activeRoom();
    this.http
      .post<RoomMember>(`/api/chat/rooms/${encodeURIComponent(roomId)}/members`, { username })
      .subscribe({
        next: (m) => this.lastAction.set({ ok: true, message: `${m.username} was added to ${roomId}` }),
        error: (err: unknown) => this.lastAction.set({ ok: false, message: messageOf(err) }),
      });
  }

  /** Joins a listed public room and opens it. */
  openRoom(roomId: string): void {
    this.addRooms([roomId]);
    this.selectRoom(roomId);
  }

  /** One page of older messages in the active room, before the oldest one shown. */
  loadEarlier(): void {
    const roomId = this.activeRoom();
    const before = this.cursors()[roomId];
    if (!before || this.loadingEarlier()) return;
    this.loadingEarlier.set(true);
    this.http
      .get<ChatMessagesPage>(`/api/chat/rooms/${encodeURIComponent(roomId)}/messages`, {
        params: { before },
      })
      .pipe(finalize(() => this.loadingEarlier.set(false)))
      .subscribe({
        next: (page) => {
          this.addMessages(roomId, page.items);
          this.cursors.update((c) => ({ ...c, [roomId]: page.nextCursor }));
        },
        error: (err: unknown) => this.lastAction.set({ ok: false, message: messageOf(err) }),
      });
  }

  reconnect(): void {
    this.connection.reconnect();
  }

  selectRoom(roomId: string): void {
    if (roomId === this.activeRoom()) return;
    this.stopTyping();
    this.activeRoom.set(roomId);
    this.unread.setViewing(roomId);
    this.markRead(roomId);
  }

  /** Queues a message in the outbox and sends it as soon as the socket allows. */
  send(text: string): boolean {
    const content = text.trim();
    if (!content || content.length > CHAT_CONTENT_MAX) return false;
    this.stopTyping();
    this.outbox.add({ clientId: newClientId(), roomId: this.activeRoom(), content, createdAt: this.clock() });
    this.syncOutbox();
    void this.flush();
    return true;
  }

  retry(clientId: string): void {
    this.outbox.retry(clientId);
    this.syncOutbox();
    void this.flush();
  }

  discard(clientId: string): void {
    this.outbox.remove(clientId);
    this.syncOutbox();
  }

  /** Call on every edit of the composer: tells the room while there is text being written. */
  composing(hasText: boolean): void {
    if (!hasText) return this.stopTyping();
    const room = this.activeRoom();
    const now = this.clock();
    if (this.typingRoom !== room || now - this.typingSentAt >= TYPING_RENEW_MS) {
      this.typingRoom = room;
      this.typingSentAt = now;
      this.emitTyping(room, true);
    }
    clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    clearTimeout(this.typingIdle);
    if (this.typingRoom === null) return;
    this.emitTyping(this.typingRoom, false);
    this.typingRoom = null;
  }

  private emitTyping(roomId: string, isTyping: boolean): void {
    this.socket?.request('typing', { roomId, isTyping }, CHAT_ACK_TIMEOUT_MS).catch(() => undefined);
  }

  private handle(e: ChatSocketEvent): void {
    switch (e.kind) {
      case 'open':
        this.socket = e.socket;
        void this.opened(e.socket);
        return;
      case 'chat':
        this.setTyping(e.message.roomId, e.message.senderId, null);
        this.addMessages(e.message.roomId, [e.message]);
        return;
      case 'typing':
        if (e.event.userId === this.me?.id) return;
        this.setTyping(e.event.roomId, e.event.userId, e.event.isTyping ? e.event.username : null);
        return;
      case 'presence':
        this.membersByRoom.update((m) => ({ ...m, [e.event.roomId]: e.event.members }));
        return;
      case 'error':
        // Each request also gets a failed ack, which is where it is handled.
        return;
    }
  }

  /** The socket dropped (or never was): nothing can be sent until the next `open`. */
  private lost(): void {
    this.socket = null;
    this.typingRoom = null;
    if (Object.keys(this.typingByRoom()).length) this.typingByRoom.set({});
  }

  /** After every (re)connection: join all rooms again, then send what waits. */
  private async opened(socket: ChatSocket): Promise<void> {
    await Promise.all(this.roomIds().map((id) => this.join(socket, id)));
    if (this.socket === socket) await this.flush();
  }

  private async join(socket: ChatSocket, roomId: string): Promise<boolean> {
    try {
      const ack = await socket.request<JoinAck>('join', { roomId }, CHAT_ACK_TIMEOUT_MS);
      if (!ack.ok) return false;
      this.membersByRoom.update((m) => ({ ...m, [roomId]: ack.members }));
      if (!(roomId in this.cursors())) this.cursors.update((c) => ({ ...c, [roomId]: ack.nextCursor }));
      this.addMessages(roomId, ack.history);
      return true;
    } catch {
      return false;
    }
  }

  /** The server's list: the rooms the user is in are joined, the others offered. */
  private setSummaries(rooms: readonly RoomSummary[]): void {
    this.summaries.update((s) => {
      const next = { ...s };
      for (const r of rooms) next[r.id] = r;
      return next;
    });
    this.addRooms(rooms.filter((r) => r.joined && !r.archivedAt).map((r) => r.id));
  }

  private addRooms(ids: string[]): void {
    const known = new Set(this.roomIds());
    const added = ids.filter((id) => !known.has(id));
    if (!added.length) return;
    this.roomIds.update((r) => [...r, ...added]);
    const socket = this.socket;
    if (socket) for (const id of added) void this.join(socket, id);
  }

  private addMessages(roomId: string, messages: readonly ChatMessage[]): void {
    if (!messages.length) return;
    this.messagesByRoom.update((all) => {
      const merged = mergeMessages(all[roomId] ?? [], messages);
      return merged === all[roomId] ? all : { ...all, [roomId]: merged };
    });
    // Seen delivered (live, or in history after a reload): no need to send it again.
    for (const m of messages) if (m.senderId === this.me?.id) this.outbox.remove(m.clientId);
    this.syncOutbox();
    if (roomId === this.activeRoom()) this.markRead(roomId);
  }

  private setTyping(roomId: string, userId: number, username: string | null): void {
    const room = this.typingByRoom()[roomId] ?? {};
    if (username === null && !(userId in room)) return;
    const next = { ...room };
    if (username === null) delete next[userId];
    else next[userId] = username;
    this.typingByRoom.update((t) => ({ ...t, [roomId]: next }));
  }

  /** Sends the outbox in order, one at a time; re-entrant calls make it look again when done. */
  private async flush(): Promise<void> {
    this.flushAgain = true;
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.flushAgain) {
        this.flushAgain = false;
        await this.drain();
      }
    } finally {
      this.flushing = false;
    }
  }

  private async drain(): Promise<void> {
    const joinedAgain = new Set<string>();
    for (;;) {
      const socket = this.socket;
      const next = this.outbox.nextPending();
      if (!socket || !next) return;
      const { clientId, roomId, content } = next;
      let ack: ChatAck;
      try {
        ack = await socket.request<ChatAck>('chat', { roomId, content, clientId }, CHAT_ACK_TIMEOUT_MS);
      } catch {
        // No ack: the entry stays pending and goes again, with the same clientId, on the next
        // connection. If this socket still looks connected it is not: start a new one.
        if (this.socket === socket) this.connection.reconnect();
        return;
      }
      if (ack.ok) {
        this.addMessages(roomId, [ack.message]);
        this.outbox.remove(clientId);
      } else if (ack.error.code === 'RATE_LIMITED') {
        await new Promise((r) => setTimeout(r, ack.error.retryAfterMs ?? 1000));
      } else if (ack.error.code === 'NOT_MEMBER' && !joinedAgain.has(roomId)) {
        joinedAgain.add(roomId);
        if (!this.roomIds().includes(roomId)) this.roomIds.update((r) => [...r, roomId]);
        await this.join(socket, roomId);
      } else {
        this.outbox.markFailed(clientId, ack.error.message);
      }
      this.syncOutbox();
    }
  }

  private syncOutbox(): void {
    if (this.outboxEntries() !== this.outbox.entries) this.outboxEntries.set(this.outbox.entries);
  }

  private markRead(roomId: string): void {
    const messages = this.messagesByRoom()[roomId];
    const last = messages?.[messages.length - 1]?.id ?? 0;
    if (last <= (this.lastRead()[roomId] ?? 0)) return;
    this.lastRead.update((r) => ({ ...r, [roomId]: last }));
    this.unread.markRead(roomId, last);
    try {
      this.storage?.setItem(this.readKey, JSON.stringify(this.lastRead()));
    } catch {
      // read marks are a convenience
    }
  }

  private loadRead(): ByRoom<number> {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(this.readKey) ?? '{}');
      return parsed && typeof parsed === 'object' ? (parsed as ByRoom<number>) : {};
    } catch {
      return {};
    }
  }
}

/** The server's message for a refused request (`{message, code}` JSON), or a generic one. */
function messageOf(err: unknown): string {
  if (err instanceof HttpErrorResponse) {
    const body = err.error as { message?: unknown } | null;
    if (body && typeof body.message === 'string') return body.message;
    return err.status === 0 ? 'The server cannot be reached' : `Refused (${err.status})`;
  }
  return 'Something went wrong';
}
