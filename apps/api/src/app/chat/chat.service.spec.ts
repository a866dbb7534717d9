import { DEFAULT_ROOMS } from '@realtime/contracts';

import type { AppConfig } from '../../config/app-config';
import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../infra/database/database.provider';
import { ChatService } from './chat.service';
import { ChatRoomsService } from './chat-rooms.service';

const config = {
  chat: { roomsCreatedMax: 3, roomsJoinedMax: 4, joinCreatesRooms: true },
} as AppConfig;

describe('ChatService (SQLite in memory)', () => {
  let handle: DatabaseHandle;
  let chat: ChatService;
  let rooms: ChatRoomsService;
  const alice = { id: 0, username: 'alice' };
  const bob = { id: 0, username: 'bob' };

  beforeEach(async () => {
    handle = openDatabase('sqlite::memory:');
    await migrateToLatest(handle);
    for (const user of [alice, bob]) {
      const row = await handle.db
        .insertInto('users')
        .values({ username: user.username, password_hash: 'x', created_at: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      user.id = Number(row.id);
    }
    chat = new ChatService(handle);
    rooms = new ChatRoomsService(handle, config);
    await rooms.onModuleInit();
  });
  afterEach(() => handle.db.destroy());

  it('creates the default rooms once, and public rooms on first join (owned by the joiner)', async () => {
    await rooms.onModuleInit();
    expect((await rooms.list(alice)).rooms.map((r) => r.id)).toEqual([...DEFAULT_ROOMS].sort());
    expect(await rooms.join(alice, 'new-room')).toMatchObject({ created: true, wasMember: false });
    expect(await rooms.join(alice, 'new-room')).toMatchObject({ created: false, wasMember: true });
    expect(await rooms.join(bob, 'new-room')).toMatchObject({ created: false, wasMember: false });
    expect(await rooms.find('new-room')).toEqual({
      id: 'new-room',
      name: 'new-room',
      kind: 'public',
      ownerId: alice.id,
      archivedAt: null,
    });
    expect((await rooms.membersOf(['new-room'])).get('new-room')).toEqual([
      { userId: alice.id, username: 'alice' },
      { userId: bob.id, username: 'bob' },
    ]);
  });

  it('lists rooms with member counts, last message time, membership and unread counts', async () => {
    await rooms.join(alice, 'general');
    await rooms.join(bob, 'general');
    await rooms.join(bob, 'ops');
    await chat.send(alice, 'general', 'hi', 'c1');
    const { message } = await chat.send(bob, 'general', 'hello', 'c2');
    const base = { kind: 'public', ownerId: null, archivedAt: null };
    expect((await rooms.list(alice)).rooms).toEqual([
      {
        ...base,
        id: 'general',
        name: 'general',
        members: 2,
        lastMessageAt: message.timestamp,
        joined: true,
        unread: 1,
      },
      { ...base, id: 'ops', name: 'ops', members: 1, lastMessageAt: null, joined: false, unread: 0 },
      { ...base, id: 'sales', name: 'sales', members: 0, lastMessageAt: null, joined: false, unread: 0 },
    ]);
    expect(await rooms.unreadCounts(bob.id)).toEqual({ general: 1 });
    await rooms.markRead(bob, 'general');
    expect(await rooms.unreadCounts(bob.id)).toEqual({});
  });

  it('hides private rooms from non-members and lets members invite', async () => {
    const room = await rooms.create(alice, { name: 'Board room', kind: 'private' });
    expect(room).toMatchObject({ id: 'board-room', kind: 'private', ownerId: alice.id });
    expect((await rooms.list(bob)).rooms.map((r) => r.id)).not.toContain('board-room');
    await expect(rooms.join(bob, 'board-room')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(rooms.invite(bob, 'board-room', 'bob')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(rooms.invite(alice, 'board-room', 'nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await rooms.invite(alice, 'board-room', 'bob')).toEqual({
      userId: bob.id,
      username: 'bob',
      online: false,
    });
    expect((await rooms.list(bob)).rooms.map((r) => r.id)).toContain('board-room');
    expect(await rooms.join(bob, 'board-room')).toMatchObject({ wasMember: true });
  });

  it('refuses look-alike names and caps rooms created and joined', async () => {
    await expect(rooms.create(alice, { name: 'Général', kind: 'public' })).rejects.toMatchObject({
      code: 'NAME_TAKEN',
    });
    await rooms.create(alice, { name: 'one', kind: 'public' });
    await rooms.create(alice, { name: 'two', kind: 'public' });
    await rooms.create(alice, { name: 'three', kind: 'public' });
    await expect(rooms.create(alice, { name: 'four', kind: 'public' })).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      extra: { limit: 3 },
    });
    await rooms.join(alice, 'general'); // the fourth membership
    await expect(rooms.join(alice, 'ops')).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      extra: { limit: 4 },
    });
  });

  it('leaves: membership gone, second leave is a no-op', async () => {
    await rooms.join(alice, 'general');
    expect(await rooms.leave('general', alice.id)).toBe(true);
    expect(await rooms.leave('general', alice.id)).toBe(false);
    expect((await rooms.membersOf(['general'])).get('general')).toEqual([]);
  });

  it('writes the messages of one event-loop turn in one transaction and publishes them once', async () => {
    const batches: number[] = [];
    chat.stored$.subscribe((m) => batches.push(m.length));
    const begin = jest.spyOn(handle.sqlite!, 'transaction');
    const kysely = jest.spyOn(handle.db, 'transaction');
    const results = await Promise.all([
      chat.send(alice, 'general', 'a', 't1'),
      chat.send(bob, 'general', 'b', 't1'),
      chat.send(alice, 'general', 'a again', 't1'),
      chat.send(alice, 'ops', 'c', 't2'),
    ]);
    expect(begin).toHaveBeenCalledTimes(1);
    expect(kysely).not.toHaveBeenCalled();
    expect(results.map((r) => r.duplicate)).toEqual([false, false, true, false]);
    expect(results[2].message).toEqual(results[0].message);
    expect(batches).toEqual([3]);
    expect((await chat.history('general')).items.map((m) => m.content)).toEqual(['a', 'b']);
  });

  it('fails only the message the database refuses; the rest of its batch is stored', async () => {
    const batches: number[][] = [];
    chat.stored$.subscribe((m) => batches.push(m.map((x) => x.id)));
    const [ok, refused, alsoOk] = await Promise.allSettled([
      chat.send(alice, 'general', 'a', 'f1'),
      chat.send(alice, 'no-such-room', 'b', 'f2'), // no room: a foreign-key failure
      chat.send(bob, 'ops', 'c', 'f3'),
    ]);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' } });
    expect(ok).toMatchObject({ status: 'fulfilled', value: { duplicate: false } });
    expect(alsoOk).toMatchObject({ status: 'fulfilled', value: { duplicate: false } });
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(2);
    expect((await chat.history('ops')).items.map((m) => m.content)).toEqual(['c']);
  });

  it('stores a clientId once per sender and room', async () => {
    const first = await chat.send(alice, 'general', 'hello', 'c1');
    expect(first).toEqual({
      duplicate: false,
      message: {
        id: expect.any(Number),
        clientId: 'c1',
        roomId: 'general',
        senderId: alice.id,
        senderName: 'alice',
        content: 'hello',
        timestamp: expect.any(Number),
      },
    });
    expect(await chat.send(alice, 'general', 'changed', 'c1')).toEqual({
      duplicate: true,
      message: first.message,
    });
    expect((await chat.send(bob, 'general', 'hello', 'c1')).duplicate).toBe(false);
    expect((await chat.send(alice, 'ops', 'hello', 'c1')).duplicate).toBe(false);
  });

  it('answers a race on the same clientId with the winner', async () => {
    const [x, y] = await Promise.all([
      chat.send(alice, 'general', 'a', 'race'),
      chat.send(alice, 'general', 'a', 'race'),
    ]);
    expect(x.message).toEqual(y.message);
    expect([x.duplicate, y.duplicate].sort()).toEqual([false, true]);
    expect((await chat.history('general')).items).toHaveLength(1);
  });

  it('pages history oldest first with a cursor to the older page', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push((await chat.send(alice, 'general', `m${i}`, `c${i}`)).message.id);
    await chat.send(alice, 'ops', 'elsewhere', 'x');
    const last = await chat.history('general', { limit: 3 });
    expect(last.items.map((m) => m.id)).toEqual(ids.slice(4));
    expect(last.nextCursor).toBe(String(ids[4]));
    const middle = await chat.history('general', { limit: 3, before: Number(last.nextCursor) });
    expect(middle.items.map((m) => m.id)).toEqual(ids.slice(1, 4));
    const first = await chat.history('general', { limit: 3, before: Number(middle.nextCursor) });
    expect(first).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expect(await chat.history('sales')).toEqual({ items: [], nextCursor: null });
  });
});
