import type { LoginResponse } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

import { ChatClient } from './chat-client';

/** Rooms with an owner and a kind: creation rules, privacy, invites, archive/delete, unread. */
describe('chat rooms', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;
  let carol: LoginResponse;
  let n = 0;
  const unique = (base: string) => `${base} ${process.pid} ${++n}`;

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

  const create = (who: LoginResponse, body: unknown) =>
    request(api, 'POST', '/api/chat/rooms', { token: who.accessToken, body });
  const listIds = async (who: LoginResponse) => {
    const res = await request(api, 'GET', '/api/chat/rooms?limit=100', { token: who.accessToken });
    expect(res.status).toBe(200);
    return res.body.rooms.map((r: { id: string }) => r.id) as string[];
  };

  it('creates a public room owned by its creator, who is its first member', async () => {
    const name = unique('Night shift');
    const res = await create(carol, { name, kind: 'public' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^night-shift-/),
      name,
      kind: 'public',
      ownerId: carol.user.id,
      archivedAt: null,
      members: 1,
      lastMessageAt: null,
      joined: true,
      unread: 0,
    });
    // Listed to everyone; bob may join it.
    expect(await listIds(bob)).toContain(res.body.id);
    const b = await ChatClient.connect(api, bob.accessToken);
    expect(await b.request('join', { roomId: res.body.id })).toMatchObject({ ok: true });
  });

  it.each([
    ['empty', '   ', 'must not be empty'],
    ['too long', 'x'.repeat(65), 'at most 64'],
    ['a control character', 'ops\u0007room', 'control'],
    ['a bidi override', 'abc\u202Edef', 'control'],
    ['a zero-width space', 'gen\u200Beral', 'control'],
    ['no letter or digit', '!!!', 'letter or digit'],
  ])('refuses a name that is %s with a coded 400', async (_what, name, says) => {
    const res = await create(alice, { name, kind: 'public' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      code: 'BAD_REQUEST',
      message: expect.stringContaining(says),
    });
  });

  it.each([
    ['upper case', 'GENERAL'],
    ['Cyrillic letters', 'gеnеrаl'],
    ['digits for letters', 'Genera1'],
    ['full-width letters', 'ｇｅｎｅｒａｌ'],
    ['accents and separators', 'Gé-né ral'],
  ])('refuses a look-alike of an existing name (%s) with 409 NAME_TAKEN', async (_what, name) => {
    const res = await create(bob, { name, kind: 'public' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'NAME_TAKEN', message: expect.stringContaining('general') });
  });

  it('refuses malformed bodies with a 400 naming the field', async () => {
    for (const body of [
      { name: 'x', kind: 'secret' },
      { kind: 'public' },
      { name: 'x', extra: 1 },
      { name: 5 },
    ]) {
      const res = await create(alice, body);
      expect(res.status).toBe(400);
      expect(typeof res.body.message).toBe('string');
    }
  });

  it('keeps a private room to its members: unlisted, unjoinable, unreadable until invited', async () => {
    const res = await create(alice, { name: unique('Board'), kind: 'private' });
    expect(res.status).toBe(201);
    const roomId: string = res.body.id;

    const a = await ChatClient.connect(api, alice.accessToken);
    expect(await a.request('join', { roomId })).toMatchObject({ ok: true });
    const sent = await a.request('chat', { roomId, content: 'secret plans', clientId: 'p1' });
    expect(sent.ok).toBe(true);

    // carol, an outsider: not listed, not joinable, no history, no invites, and it looks unknown.
    expect(await listIds(carol)).not.toContain(roomId);
    const c = await ChatClient.connect(api, carol.accessToken);
    const refused = await c.request('join', { roomId });
    expect(refused).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: `No room ${roomId}` } });
    expect(await c.waitFor('error', (e) => e.event === 'join')).toMatchObject({ code: 'NOT_FOUND' });
    const history = await request(api, 'GET', `/api/chat/rooms/${roomId}/messages`, {
      token: carol.accessToken,
    });
    expect(history.status).toBe(404);
    expect(history.body).toMatchObject({ code: 'NOT_FOUND' });
    const sneak = await request(api, 'POST', `/api/chat/rooms/${roomId}/members`, {
      token: carol.accessToken,
      body: { username: 'carol' },
    });
    expect(sneak.status).toBe(404);
    // The socket is still up and usable.
    expect(await c.request('join', { roomId: 'general' })).toMatchObject({ ok: true });
    // No presence of the private room reached the outsider.
    expect(c.all('presence').some((p) => p.roomId === roomId)).toBe(false);

    // alice invites bob: listed for him, joinable, history readable, and presence tells alice.
    const unknown = await request(api, 'POST', `/api/chat/rooms/${roomId}/members`, {
      token: alice.accessToken,
      body: { username: 'nobody-here' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('nobody-here'),
    });
    const invited = await request(api, 'POST', `/api/chat/rooms/${roomId}/members`, {
      token: alice.accessToken,
      body: { username: 'bob' },
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toEqual({ userId: bob.user.id, username: 'bob', online: false });
    await a.waitFor(
      'presence',
      (p) => p.roomId === roomId && p.members.some((m: any) => m.username === 'bob'),
    );
    expect(await listIds(bob)).toContain(roomId);
    const b = await ChatClient.connect(api, bob.accessToken);
    const joined = await b.request('join', { roomId });
    expect(joined).toMatchObject({ ok: true, history: [sent.message] });
    const page = await request(api, 'GET', `/api/chat/rooms/${roomId}/messages`, { token: bob.accessToken });
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([sent.message]);
    // Still nothing for carol.
    expect(await listIds(carol)).not.toContain(roomId);
  });

  it('serves history over REST and the socket to members only, public rooms included', async () => {
    const roomId = `hist-${process.pid}`;
    const a = await ChatClient.connect(api, alice.accessToken);
    await a.request('join', { roomId });
    await a.request('chat', { roomId, content: 'hello', clientId: 'h1' });
    const outsider = await request(api, 'GET', `/api/chat/rooms/${roomId}/messages`, {
      token: carol.accessToken,
    });
    expect(outsider.status).toBe(403);
    expect(outsider.body).toMatchObject({ code: 'NOT_MEMBER' });
    const unknown = await request(api, 'GET', `/api/chat/rooms/nope-${process.pid}/messages`, {
      token: carol.accessToken,
    });
    expect(unknown.status).toBe(404);
    // Joining makes carol a member: now she may read.
    const c = await ChatClient.connect(api, carol.accessToken);
    expect((await c.request('join', { roomId })).history).toHaveLength(1);
    const member = await request(api, 'GET', `/api/chat/rooms/${roomId}/messages`, {
      token: carol.accessToken,
    });
    expect(member.status).toBe(200);
  });

  it('lets only the owner (or an admin) archive and delete; archived rooms take no joins or messages', async () => {
    const res = await create(alice, { name: unique('Launch'), kind: 'public' });
    const roomId: string = res.body.id;
    const a = await ChatClient.connect(api, alice.accessToken);
    const b = await ChatClient.connect(api, bob.accessToken);
    await a.request('join', { roomId });
    await b.request('join', { roomId });

    const notOwner = await request(api, 'POST', `/api/chat/rooms/${roomId}/archive`, {
      token: bob.accessToken,
    });
    expect(notOwner.status).toBe(403);
    expect(notOwner.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      (await request(api, 'DELETE', `/api/chat/rooms/${roomId}`, { token: bob.accessToken })).status,
    ).toBe(403);

    const archived = await request(api, 'POST', `/api/chat/rooms/${roomId}/archive`, {
      token: alice.accessToken,
    });
    expect(archived.status).toBe(204);
    // Every socket left the room: bob's message is refused, a new join too.
    const late = await b.request('chat', { roomId, content: 'anyone?', clientId: 'late' });
    expect(late).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
    expect(await b.request('join', { roomId })).toMatchObject({ ok: false, error: { code: 'ARCHIVED' } });
    const listed = await request(api, 'GET', '/api/chat/rooms?limit=100', { token: bob.accessToken });
    expect(listed.body.rooms.find((r: any) => r.id === roomId).archivedAt).toEqual(expect.any(Number));
    // Members still read it.
    expect(
      (await request(api, 'GET', `/api/chat/rooms/${roomId}/messages`, { token: bob.accessToken })).status,
    ).toBe(200);

    expect(
      (await request(api, 'DELETE', `/api/chat/rooms/${roomId}`, { token: alice.accessToken })).status,
    ).toBe(204);
    expect(await listIds(alice)).not.toContain(roomId);
    expect(
      (await request(api, 'GET', `/api/chat/rooms/${roomId}/messages`, { token: alice.accessToken })).status,
    ).toBe(404);
    // The default rooms stay.
    const general = await request(api, 'DELETE', '/api/chat/rooms/general', { token: alice.accessToken });
    expect(general.status).toBe(403);
  });

  it('pages the room list by id', async () => {
    const first = await request(api, 'GET', '/api/chat/rooms?limit=2', { token: alice.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.rooms).toHaveLength(2);
    expect(first.body.nextCursor).toBe(first.body.rooms[1].id);
    const second = await request(api, 'GET', `/api/chat/rooms?limit=2&cursor=${first.body.nextCursor}`, {
      token: alice.accessToken,
    });
    expect(second.body.rooms[0].id > first.body.rooms[1].id).toBe(true);
    const bad = await request(api, 'GET', '/api/chat/rooms?limit=1000', { token: alice.accessToken });
    expect(bad.status).toBe(400);
  });

  it('counts unread messages per room, marks them read, and pushes increments on the notification stream', async () => {
    const roomId = `unread-${process.pid}`;
    const a = await ChatClient.connect(api, alice.accessToken);
    const c = await ChatClient.connect(api, carol.accessToken);
    await a.request('join', { roomId });
    await c.request('join', { roomId });
    c.close(); // carol is away from chat, on another page of the dashboard

    const stream = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, {
      authorization: `Bearer ${carol.accessToken}`,
    });
    await stream.waitForEvents('connected');
    const m1 = await a.request('chat', { roomId, content: 'one', clientId: 'u1' });
    await a.request('chat', { roomId, content: 'two', clientId: 'u2' });

    // Increments arrive within a flush; together they make the two messages.
    const pushed = () =>
      stream.events
        .filter((e) => e.event === 'chat-unread')
        .reduce((sum, e) => sum + (JSON.parse(e.data).rooms[roomId] ?? 0), 0);
    await stream.until(() => pushed() >= 2, 15_000, 'chat-unread increments');
    expect(pushed()).toBe(2);
    // Not stored: sent without an `id:` line, so Last-Event-ID stays at the last stored event.
    const unreadEvents = stream.events.filter((e) => e.event === 'chat-unread');
    expect(unreadEvents.map((e) => e.id)).toEqual(unreadEvents.map(() => undefined));
    const counts = await request(api, 'GET', '/api/chat/unread', { token: carol.accessToken });
    expect(counts.body.rooms[roomId]).toBe(2);
    // Alice's own messages are not unread for her.
    expect(
      (await request(api, 'GET', '/api/chat/unread', { token: alice.accessToken })).body.rooms[roomId],
    ).toBe(undefined);

    const read = await request(api, 'PUT', `/api/chat/rooms/${roomId}/read`, {
      token: carol.accessToken,
      body: { messageId: m1.message.id },
    });
    expect(read.status).toBe(204);
    expect(
      (await request(api, 'GET', '/api/chat/unread', { token: carol.accessToken })).body.rooms[roomId],
    ).toBe(1);
    // Not a member of that room: 404 (private rooms are not revealed) / 403 (public).
    const notMine = await request(api, 'PUT', `/api/chat/rooms/nope-${process.pid}/read`, {
      token: carol.accessToken,
      body: { messageId: 1 },
    });
    expect(notMine.status).toBe(404);
    stream.close();
  });
});
