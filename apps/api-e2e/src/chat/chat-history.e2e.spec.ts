import type { ChatMessage, LoginResponse } from '@realtime/contracts';
import { ApiProcess, login, request } from '@realtime/test-support';

import { ChatClient } from './chat-client';

describe('chat history', () => {
  let api: ApiProcess;
  let alice: LoginResponse;

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        CHAT_RATE_BURST: '1000',
        CHAT_CREATE_RATE_BURST: '1000',
        CHAT_JOIN_RATE_BURST: '1000',
      },
    });
    alice = await login(api, 'alice');
  });
  afterEach(() => ChatClient.closeAll());
  afterAll(() => api.dispose());

  it('returns the last 50 in the join ack and older pages through the cursor', async () => {
    const roomId = 'history';
    const a = await ChatClient.connect(api, alice.accessToken);
    await a.request('join', { roomId });
    const sent: ChatMessage[] = [];
    for (let i = 1; i <= 60; i++) {
      const ack = await a.request('chat', { roomId, content: `message ${i}`, clientId: `h-${i}` });
      sent.push(ack.message);
    }
    const b = await ChatClient.connect(api, alice.accessToken);
    const join = await b.request('join', { roomId });
    expect(join.history).toEqual(sent.slice(10));
    expect(join.nextCursor).toEqual(expect.any(String));

    const older = await request(api, 'GET', `/api/chat/rooms/${roomId}/messages?before=${join.nextCursor}`, {
      token: alice.accessToken,
    });
    expect(older.status).toBe(200);
    expect(older.body).toEqual({ items: sent.slice(0, 10), nextCursor: null });

    const latest = await request(api, 'GET', `/api/chat/rooms/${roomId}/messages?limit=5`, {
      token: alice.accessToken,
    });
    expect(latest.body.items).toEqual(sent.slice(55));
    const before = await request(
      api,
      'GET',
      `/api/chat/rooms/${roomId}/messages?limit=5&before=${latest.body.nextCursor}`,
      { token: alice.accessToken },
    );
    expect(before.body.items).toEqual(sent.slice(50, 55));
  });

  it('keeps messages, rooms and membership across an API restart', async () => {
    const roomId = 'durable';
    const a = await ChatClient.connect(api, alice.accessToken);
    await a.request('join', { roomId });
    const first = await a.request('chat', { roomId, content: 'before the restart', clientId: 'r-1' });
    a.close();

    await api.restart();

    const again = await ChatClient.connect(api, alice.accessToken);
    const join = await again.request('join', { roomId });
    expect(join.history).toEqual([first.message]);
    // The clientId is remembered too: a retry after the restart is still a duplicate.
    expect(await again.request('chat', { roomId, content: 'before the restart', clientId: 'r-1' })).toEqual({
      ok: true,
      message: first.message,
      duplicate: true,
    });
    const rooms = await request(api, 'GET', '/api/chat/rooms', { token: alice.accessToken });
    expect(rooms.body.rooms).toContainEqual({
      id: roomId,
      name: roomId,
      kind: 'public',
      ownerId: alice.user.id,
      archivedAt: null,
      members: 1,
      lastMessageAt: first.message.timestamp,
      joined: true,
      unread: 0,
    });
  });
});
