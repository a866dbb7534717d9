import type { ChatMessage, LoginResponse } from '@realtime/contracts';
import { ApiProcess, login, request } from '@realtime/test-support';

import { ChatClient } from './chat-client';

describe('chat', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;
  let carol: LoginResponse;
  let room = 0;
  /** A fresh room per test, so that tests do not see each other's messages. */
  const newRoom = () => `room-${process.pid}-${++room}`;

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        CHAT_RATE_BURST: '1000',
        CHAT_CREATE_RATE_BURST: '1000',
        CHAT_JOIN_RATE_BURST: '1000',
      },
    });
    [alice, bob, carol] = await Promise.all([login(api, 'alice'), login(api, 'bob'), login(api, 'carol')]);
  });
  afterEach(() => ChatClient.closeAll());
  afterAll(() => api.dispose());

  async function pair(roomId: string) {
    const a = await ChatClient.connect(api, alice.accessToken);
    const b = await ChatClient.connect(api, bob.accessToken);
    expect(await a.request('join', { roomId })).toMatchObject({ ok: true });
    expect(await b.request('join', { roomId })).toMatchObject({ ok: true });
    await a.waitFor('presence', (p) => p.members.length === 2);
    return { a, b };
  }

  it('lists the default rooms', async () => {
    const res = await request(api, 'GET', '/api/chat/rooms', { token: alice.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.rooms.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining(['general', 'ops', 'sales']),
    );
  });

  it('joins, chats to every member (sender included) and shows presence', async () => {
    const roomId = newRoom();
    const a = await ChatClient.connect(api, alice.accessToken);
    const join = await a.request('join', { roomId });
    expect(join).toEqual({
      ok: true,
      roomId,
      history: [],
      members: [{ userId: alice.user.id, username: 'alice', online: true }],
      nextCursor: null,
    });

    const b = await ChatClient.connect(api, bob.accessToken);
    const bobJoin = await b.request('join', { roomId });
    expect(bobJoin.members).toEqual([
      { userId: alice.user.id, username: 'alice', online: true },
      { userId: bob.user.id, username: 'bob', online: true },
    ]);
    const presence = await a.waitFor('presence', (p) => p.members.length === 2);
    expect(presence.roomId).toBe(roomId);

    const content = '<script>alert(1)</script> héllo 👋';
    const ack = await a.request('chat', { roomId, content, clientId: 'a-1' });
    expect(ack).toEqual({
      ok: true,
      message: {
        id: expect.any(Number),
        clientId: 'a-1',
        roomId,
        senderId: alice.user.id,
        senderName: 'alice',
        content,
        timestamp: expect.any(Number),
      },
    });
    expect(await b.waitFor('chat')).toEqual(ack.message);
    expect(await a.waitFor('chat')).toEqual(ack.message);

    const rooms = await request(api, 'GET', '/api/chat/rooms', { token: bob.accessToken });
    // Created by alice's join: public, hers; bob has not read alice's message yet.
    expect(rooms.body.rooms).toContainEqual({
      id: roomId,
      name: roomId,
      kind: 'public',
      ownerId: alice.user.id,
      archivedAt: null,
      members: 2,
      lastMessageAt: ack.message.timestamp,
      joined: true,
      unread: 1,
    });

    // Bob goes away: alice sees him offline, but still a member.
    b.close();
    const offline = await a.waitFor('presence', (p) =>
      p.members.some((m: any) => m.username === 'bob' && !m.online),
    );
    expect(offline.members).toHaveLength(2);

    // He comes back and finds the message in the join history.
    const b2 = await ChatClient.connect(api, bob.accessToken);
    const again = await b2.request('join', { roomId });
    expect(again.history).toEqual([ack.message]);
  });

  it('stores and delivers a retried clientId once', async () => {
    const roomId = newRoom();
    const { a, b } = await pair(roomId);
    const first = await a.request('chat', { roomId, content: 'once', clientId: 'dup-1' });
    const retry = await a.request('chat', { roomId, content: 'once', clientId: 'dup-1' });
    expect(retry).toEqual({ ok: true, message: first.message, duplicate: true });
    // Bob sends the same clientId: his own message, not a duplicate of alice's.
    const bobs = await b.request('chat', { roomId, content: 'mine', clientId: 'dup-1' });
    expect(bobs.duplicate).toBeUndefined();
    expect(bobs.message.id).not.toBe(first.message.id);
    // A later message is a barrier: everything before it has been delivered.
    const barrier = await a.request('chat', { roomId, content: 'barrier', clientId: 'dup-2' });
    await b.waitFor('chat', (m) => m.id === barrier.message.id);
    await a.waitFor('chat', (m) => m.id === barrier.message.id);
    for (const client of [a, b]) {
      expect(client.all<ChatMessage>('chat').map((m) => m.content)).toEqual(['once', 'mine', 'barrier']);
    }
    const page = await request(api, 'GET', `/api/chat/rooms/${roomId}/messages`, { token: bob.accessToken });
    expect(page.body.items.map((m: ChatMessage) => m.content)).toEqual(['once', 'mine', 'barrier']);
  });

  it('relays typing to the other members only and expires it after 5 s', async () => {
    const roomId = newRoom();
    const { a, b } = await pair(roomId);
    expect(await a.request('typing', { roomId, isTyping: true })).toEqual({ ok: true });
    expect(await b.waitFor('typing')).toEqual({
      roomId,
      userId: alice.user.id,
      username: 'alice',
      isTyping: true,
    });
    expect(await a.request('typing', { roomId, isTyping: false })).toEqual({ ok: true });
    await b.waitFor('typing', (t) => !t.isTyping);

    // Started again and never stopped: the server ends it by itself.
    await a.request('typing', { roomId, isTyping: true });
    await b.waitFor('typing', (t) => t.isTyping && b.all('typing').length === 3);
    await b.waitFor('typing', () => b.all('typing').length === 4);
    expect(b.all('typing').map((t) => t.isTyping)).toEqual([true, false, true, false]);

    // Alice never hears her own typing (a message of hers is the barrier).
    const barrier = await a.request('chat', { roomId, content: 'done', clientId: 't-1' });
    await a.waitFor('chat', (m) => m.id === barrier.message.id);
    expect(a.all('typing')).toEqual([]);
  });

  it('stops typing when the typist disconnects', async () => {
    const roomId = newRoom();
    const { a, b } = await pair(roomId);
    await a.request('typing', { roomId, isTyping: true });
    await b.waitFor('typing', (t) => t.isTyping);
    a.close();
    expect(await b.waitFor('typing', (t) => !t.isTyping)).toMatchObject({ userId: alice.user.id });
  });

  it("leaves a room for all of the user's tabs: presence without them, no more messages", async () => {
    const roomId = newRoom();
    const { a, b } = await pair(roomId);
    const bobsOtherTab = await ChatClient.connect(api, bob.accessToken);
    await bobsOtherTab.request('join', { roomId });
    expect(await b.request('leave', { roomId })).toEqual({ ok: true, roomId });
    const alone = (p: { members: unknown[] }) => p.members.length === 1;
    const presence = await a.waitFor('presence', alone);
    expect(presence.members).toEqual([{ userId: alice.user.id, username: 'alice', online: true }]);
    await bobsOtherTab.waitFor('presence', alone);

    const sent = await a.request('chat', { roomId, content: 'anyone?', clientId: 'l-1' });
    await a.waitFor('chat', (m) => m.id === sent.message.id);
    for (const tab of [b, bobsOtherTab]) {
      expect(await tab.request('chat', { roomId, content: 'me', clientId: 'l-2' })).toMatchObject({
        ok: false,
        error: { code: 'NOT_MEMBER' },
      });
      expect(tab.all('chat')).toEqual([]);
    }
  });

  describe('errors: coded answer and error event, and the socket stays up', () => {
    const long = 'x'.repeat(2001);
    const cases: Array<[string, string, unknown[], string]> = [
      ['a string payload', 'join', ['general'], 'BAD_REQUEST'],
      ['an array payload', 'chat', [[1, 2]], 'BAD_REQUEST'],
      ['a binary payload', 'chat', [Buffer.from('hi')], 'BAD_REQUEST'],
      ['no payload', 'typing', [], 'BAD_REQUEST'],
      ['a null payload', 'leave', [null], 'BAD_REQUEST'],
      ['a bad room id', 'join', [{ roomId: '../etc' }], 'BAD_REQUEST'],
      ['an unknown field', 'join', [{ roomId: 'general', admin: true }], 'BAD_REQUEST'],
      ['a wrong type', 'typing', [{ roomId: 'general', isTyping: 'yes' }], 'BAD_REQUEST'],
      ['an empty message', 'chat', [{ roomId: 'general', content: '  ', clientId: 'e-1' }], 'BAD_REQUEST'],
      ['no clientId', 'chat', [{ roomId: 'general', content: 'hi' }], 'BAD_REQUEST'],
      [
        'content over 2000 characters',
        'chat',
        [{ roomId: 'general', content: long, clientId: 'e-2' }],
        'TOO_LONG',
      ],
      [
        'chat in a room not joined',
        'chat',
        [{ roomId: 'ops', content: 'hi', clientId: 'e-3' }],
        'NOT_MEMBER',
      ],
      ['typing in a room not joined', 'typing', [{ roomId: 'ops', isTyping: true }], 'NOT_MEMBER'],
      ['an unknown event', 'shout', [{ roomId: 'general' }], 'UNKNOWN_EVENT'],
      ['a bad in-band token', 'auth', [{ token: 'nope' }], 'UNAUTHORIZED'],
    ];

    it.each(cases)('%s → %s', async (_, event, args, code) => {
      const roomId = newRoom();
      const { a, b } = await pair(roomId);
      const ack = await a.request(event, ...args);
      expect(ack).toEqual({ ok: false, error: { code, message: expect.any(String) } });
      expect(await a.waitFor('error')).toEqual({ code, message: ack.error.message, event });

      // Without an ack callback the error event alone answers, and nothing breaks.
      a.socket.emit(event, ...args);
      await a.waitFor('error', () => a.all('error').length === 2);

      const sent = await a.request('chat', { roomId, content: 'still here', clientId: 'after' });
      expect(sent).toMatchObject({ ok: true });
      await b.waitFor('chat', (m) => m.id === sent.message.id);
      expect(a.socket.connected).toBe(true);
      expect(a.disconnectReason).toBeUndefined();
    });

    it('reflects user text as data only', async () => {
      const a = await ChatClient.connect(api, carol.accessToken);
      const ack = await a.request('<img src=x onerror=alert(1)>', {});
      expect(ack.error).toEqual({
        code: 'UNKNOWN_EVENT',
        message: 'Unknown event "<img src=x onerror=alert(1)>"',
      });
    });
  });

  describe('GET /api/chat/rooms/:roomId/messages', () => {
    it.each([
      ['a bad room id', '/api/chat/rooms/Not%20A%20Room/messages', 400, /roomId/],
      ['a bad cursor', '/api/chat/rooms/general/messages?before=abc', 400, /before/],
      ['a negative cursor', '/api/chat/rooms/general/messages?before=-1', 400, /before/],
      ['a limit too large', '/api/chat/rooms/general/messages?limit=1000', 400, /limit/],
      ['an unknown parameter', '/api/chat/rooms/general/messages?after=1', 400, /after/],
      ['an unknown room', '/api/chat/rooms/no-such-room/messages', 404, /no-such-room/],
    ])('answers %s with %i', async (_, path, status, message) => {
      const res = await request(api, 'GET', path, { token: alice.accessToken });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ statusCode: status });
      expect(res.body.message).toMatch(message);
    });
  });
});
