import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BehaviorSubject, Subject, type Subscription } from 'rxjs';

import type { ChatMessage, NotificationEvent, RoomSummary } from '@realtime/contracts';
import { AuthStore } from '@realtime/dashboard/data-access-api';
import { ChatUnreadStore, NotificationStream } from '@realtime/dashboard/data-access-notifications';
import { BACKOFF_POLICY, ONLINE_STATUS, type StreamMessage } from '@realtime/dashboard/data-access-realtime';

import { CHAT_SOCKET_FACTORY } from './chat-socket';
import { CHAT_STORAGE, ChatStore } from './chat-store';
import { FakeChatSocket } from './testing/fake-chat-socket';

const ALICE = { id: 1, username: 'alice' };

/** The test's server: stores messages once per clientId, like the real one. */
class FakeServer {
  stored: ChatMessage[] = [];
  refuse: string | null = null;
  handlers = {
    join: (p: Record<string, unknown>) => ({
      ok: true,
      roomId: p['roomId'],
      history: this.stored.filter((m) => m.roomId === p['roomId']),
      members: [{ userId: 1, username: 'alice', online: true }],
      nextCursor: null,
    }),
    chat: (p: Record<string, unknown>) => {
      if (this.refuse) return { ok: false, error: { code: 'TOO_LONG', message: this.refuse } };
      const existing = this.stored.find((m) => m.clientId === p['clientId']);
      if (existing) return { ok: true, message: existing, duplicate: true };
      const message = this.message(p['roomId'] as string, p['content'] as string, p['clientId'] as string);
      return { ok: true, message };
    },
  };
  message(roomId: string, content: string, clientId: string, sender = ALICE): ChatMessage {
    const m = {
      id: this.stored.length + 1,
      clientId,
      roomId,
      senderId: sender.id,
      senderName: sender.username,
      content,
      timestamp: Date.now(),
    };
    this.stored.push(m);
    return m;
  }
}

class MemoryStorage {
  readonly data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
  removeItem = (k: string) => void this.data.delete(k);
}

describe('ChatStore', () => {
  let server: FakeServer;
  let sockets: FakeChatSocket[];
  let online: BehaviorSubject<boolean>;
  let storage: MemoryStorage;
  let sub: Subscription | undefined;
  let unreadSub: Subscription | undefined;
  let notifications: Subject<StreamMessage<NotificationEvent>>;
  const summary = (id: string, extra: Partial<RoomSummary> = {}): RoomSummary => ({
    id,
    name: id,
    kind: 'public',
    ownerId: null,
    archivedAt: null,
    members: 1,
    lastMessageAt: null,
    joined: true,
    unread: 0,
    ...extra,
  });
  const last = () => sockets[sockets.length - 1];
  const settle = () => jest.advanceTimersByTimeAsync(0);

  function createStore(): ChatStore {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        ChatStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        {
          provide: AuthStore,
          useValue: { user: signal(ALICE), token: 'token', accessToken: signal('token') },
        },
        { provide: CHAT_STORAGE, useValue: storage },
        { provide: ONLINE_STATUS, useValue: online },
        { provide: NotificationStream, useValue: { messages$: notifications } },
        { provide: BACKOFF_POLICY, useValue: { baseMs: 1000, maxMs: 30_000, maxAttempts: 5, jitter: 0 } },
        {
          provide: CHAT_SOCKET_FACTORY,
          useValue: (token: string | null) => {
            const s = new FakeChatSocket(token, server.handlers);
            sockets.push(s);
            return s;
          },
        },
      ],
    });
    // The shell keeps the app-wide unread counts connected.
    unreadSub = TestBed.inject(ChatUnreadStore).connect().subscribe();
    const store = TestBed.inject(ChatStore);
    sub = store.connect().subscribe();
    TestBed.inject(HttpTestingController)
      .expectOne('/api/chat/rooms?limit=100')
      .flush({
        rooms: [summary('general'), summary('random'), summary('lobby', { joined: false, members: 4 })],
        nextCursor: null,
      });
    return store;
  }

  const contents = (store: ChatStore) =>
    store
      .lines()
      .map((l) =>
        l.kind === 'message' ? `sent:${l.message.content}` : `${l.entry.status}:${l.entry.content}`,
      );

  beforeEach(() => {
    jest.useFakeTimers();
    server = new FakeServer();
    sockets = [];
    storage = new MemoryStorage();
    online = new BehaviorSubject(true);
    notifications = new Subject();
  });
  afterEach(() => {
    sub?.unsubscribe();
    unreadSub?.unsubscribe();
    jest.useRealTimers();
  });

  it('joins every room on connect, shows history and de-duplicates a message that also arrives live', async () => {
    server.message('general', 'hello', 'x1', { id: 2, username: 'bob' });
    const store = createStore();
    last().fire('connect');
    await settle();
    expect(
      last()
        .sent('join')
        .map((p) => p['roomId']),
    ).toEqual(['general', 'ops', 'sales', 'random']);
    last().fire('chat', server.stored[0]);
    expect(contents(store)).toEqual(['sent:hello']);
    expect(store.members()).toEqual([{ userId: 1, username: 'alice', online: true }]);
  });

  it('queues messages while offline, persists them, and sends them in order once connected', async () => {
    online.next(false);
    const store = createStore();
    expect(sockets).toHaveLength(0);
    store.send('one');
    store.send('two');
    store.send('three');
    expect(contents(store)).toEqual(['pending:one', 'pending:two', 'pending:three']);
    expect(JSON.parse(storage.getItem('rt.chat.outbox.1') ?? '[]')).toHaveLength(3);

    online.next(true);
    last().fire('connect');
    await settle();
    expect(
      last()
        .sent('chat')
        .map((p) => p['content']),
    ).toEqual(['one', 'two', 'three']);
    expect(contents(store)).toEqual(['sent:one', 'sent:two', 'sent:three']);
    expect(storage.getItem('rt.chat.outbox.1')).toBeNull();
    expect(store.outboxCount()).toBe(0);
  });

  it('keeps the outbox across a reload and sends it then', async () => {
    online.next(false);
    createStore().send('written before reload');
    sub?.unsubscribe();

    online.next(true);
    const store = createStore();
    expect(contents(store)).toEqual(['pending:written before reload']);
    last().fire('connect');
    await settle();
    expect(contents(store)).toEqual(['sent:written before reload']);
  });

  it('re-joins its rooms after a reconnect and resends an unacknowledged message with the same clientId, delivered once', async () => {
    const store = createStore();
    last().fire('connect');
    await settle();
    // The server stores the message but the connection drops before the ack arrives.
    let stored: ChatMessage | undefined;
    const chat = server.handlers.chat;
    server.handlers.chat = (p) => {
      stored = server.message('general', p['content'] as string, p['clientId'] as string);
      return new Promise(() => undefined);
    };
    store.send('lost ack');
    await settle();
    const clientId = last().sent('chat')[0]['clientId'];
    last().fire('disconnect', 'transport close');
    await settle();
    expect(store.state().kind).toBe('reconnecting');

    server.handlers.chat = chat;
    await jest.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(2);
    last().fire('connect');
    await settle();
    expect(
      last()
        .sent('join')
        .map((p) => p['roomId']),
    ).toEqual(['general', 'ops', 'sales', 'random']);
    // The history already has it: seen delivered, so it is not even sent again.
    expect(last().sent('chat')).toEqual([]);
    expect(server.stored.filter((m) => m.clientId === clientId)).toEqual([stored]);
    expect(contents(store)).toEqual(['sent:lost ack']);
  });

  it('resends a pending message with its clientId when the server never stored it', async () => {
    const store = createStore();
    last().fire('connect');
    await settle();
    const chat = server.handlers.chat;
    server.handlers.chat = () => new Promise(() => undefined);
    store.send('again');
    await settle();
    const first = last().sent('chat')[0];
    last().fire('disconnect', 'transport close');
    server.handlers.chat = chat;
    await jest.advanceTimersByTimeAsync(1000);
    last().fire('connect');
    await settle();
    expect(last().sent('chat')).toEqual([first]);
    expect(contents(store)).toEqual(['sent:again']);
  });

  it('marks a refused message failed; Retry sends it, Discard drops it', async () => {
    const store = createStore();
    last().fire('connect');
    await settle();
    server.refuse = 'content is too long';
    store.send('refused');
    await settle();
    expect(contents(store)).toEqual(['failed:refused']);
    server.refuse = null;
    const entry = store.lines()[0];
    if (entry.kind !== 'outbox') throw new Error('expected an outbox line');
    store.retry(entry.entry.clientId);
    await settle();
    expect(contents(store)).toEqual(['sent:refused']);

    server.refuse = 'nope';
    store.send('drop me');
    await settle();
    const failed = store.lines()[1];
    if (failed.kind !== 'outbox') throw new Error('expected an outbox line');
    store.discard(failed.entry.clientId);
    expect(contents(store)).toEqual(['sent:refused']);
  });

  it("shows the server's unread counts, shows who is typing, and marks a room read when shown", async () => {
    const store = createStore();
    const http = TestBed.inject(HttpTestingController);
    last().fire('connect');
    await settle();
    // Totals when the notification stream opens, then increments; the room on screen never counts.
    notifications.next({ kind: 'open', resumed: false });
    http.expectOne('/api/chat/unread').flush({ rooms: { ops: 2, general: 5 } });
    notifications.next({
      kind: 'event',
      value: { type: 'chat-unread', id: '0', data: { rooms: { ops: 1 } } },
    });
    expect(store.rooms().find((r) => r.id === 'ops')?.unread).toBe(3);
    expect(store.rooms().find((r) => r.id === 'general')?.unread).toBe(0);
    last().fire('typing', { roomId: 'general', userId: 2, username: 'bob', isTyping: true });
    expect(store.typing()).toEqual(['bob']);
    last().fire('chat', server.message('general', 'hi', 'g1', { id: 2, username: 'bob' }));
    expect(store.typing()).toEqual([]);
    last().fire('chat', server.message('ops', 'in ops', 'o1', { id: 2, username: 'bob' }));
    store.selectRoom('ops');
    expect(store.rooms().find((r) => r.id === 'ops')?.unread).toBe(0);
    // Read markers go out together, at most once a second.
    await jest.advanceTimersByTimeAsync(1000);
    const reads = http.match((r) => r.method === 'PUT');
    expect(reads.map((r) => [r.request.url, r.request.body])).toEqual([
      ['/api/chat/rooms/general/read', { messageId: 1 }],
      ['/api/chat/rooms/ops/read', { messageId: 2 }],
    ]);
  });

  it('offers public rooms not joined, pages back through history, creates rooms and invites', async () => {
    server.handlers.join = (p: Record<string, unknown>) => ({
      ok: true,
      roomId: p['roomId'],
      history: server.stored.filter((m) => m.roomId === p['roomId']),
      members: [],
      nextCursor: p['roomId'] === 'general' ? '10' : null,
    });
    const store = createStore();
    const http = TestBed.inject(HttpTestingController);
    expect(store.otherRooms()).toEqual([{ id: 'lobby', name: 'lobby', members: 4 }]);
    last().fire('connect');
    await settle();
    expect(store.hasEarlier()).toBe(true);
    store.loadEarlier();
    const older = server.message('general', 'older', 'x1', { id: 2, username: 'bob' });
    http.expectOne('/api/chat/rooms/general/messages?before=10').flush({ items: [older], nextCursor: null });
    expect(store.lines().map((l) => l.kind === 'message' && l.message.content)).toContain('older');
    expect(store.hasEarlier()).toBe(false);

    store.createRoom('Board', 'private');
    http
      .expectOne((r) => r.method === 'POST' && r.url === '/api/chat/rooms')
      .flush(summary('board', { name: 'Board', kind: 'private', ownerId: 1 }));
    expect(store.activeRoom()).toBe('board');
    expect(store.rooms().find((r) => r.id === 'board')).toMatchObject({ name: 'Board', kind: 'private' });
    store.invite('nobody');
    http
      .expectOne('/api/chat/rooms/board/members')
      .flush(
        { statusCode: 404, message: 'No user "nobody"', code: 'NOT_FOUND' },
        { status: 404, statusText: 'Not Found' },
      );
    expect(store.lastAction()).toEqual({ ok: false, message: 'No user "nobody"' });
  });

  it('tells the room while typing and withdraws it after a pause', async () => {
    const store = createStore();
    last().fire('connect');
    await settle();
    store.composing(true);
    store.composing(true);
    expect(last().sent('typing')).toEqual([{ roomId: 'general', isTyping: true }]);
    await jest.advanceTimersByTimeAsync(3000);
    expect(last().sent('typing')).toEqual([
      { roomId: 'general', isTyping: true },
      { roomId: 'general', isTyping: false },
    ]);
  });
});
