import { DEFAULT_ROOMS } from '@realtime/contracts';

import { type DatabaseHandle, migrateToLatest, openDatabase } from '../../infra/database/database.provider';
import { ChatService } from './chat.service';

describe('ChatService (SQLite in memory)', () => {
  let handle: DatabaseHandle;
  let chat: ChatService;
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
    await chat.onModuleInit();
  });
  afterEach(() => handle.db.destroy());

  it('creates the default rooms once, and other rooms on first join', async () => {
    await chat.onModuleInit();
    expect((await chat.rooms(alice.id)).map((r) => r.id)).toEqual([...DEFAULT_ROOMS].sort());
    expect(await chat.roomExists('new-room')).toBe(false);
    await chat.join('new-room', alice.id);
    await chat.join('new-room', alice.id);
    expect(await chat.roomExists('new-room')).toBe(true);
    expect(await chat.isMember('new-room', alice.id)).toBe(true);
    expect(await chat.members('new-room', new Set([alice.id]))).toEqual([
      { userId: alice.id, username: 'alice', online: true },
    ]);
  });

  it('lists rooms with member counts, last message time and own membership', async () => {
    await chat.join('general', alice.id);
    await chat.join('general', bob.id);
    await chat.join('ops', bob.id);
    const { message } = await chat.send(alice, 'general', 'hi', 'c1');
    const rooms = await chat.rooms(alice.id);
    expect(rooms).toEqual([
      { id: 'general', members: 2, lastMessageAt: message.timestamp, joined: true },
      { id: 'ops', members: 1, lastMessageAt: null, joined: false },
      { id: 'sales', members: 0, lastMessageAt: null, joined: false },
    ]);
  });

  it('leaves: membership gone, second leave is a no-op', async () => {
    await chat.join('general', alice.id);
    expect(await chat.leave('general', alice.id)).toBe(true);
    expect(await chat.leave('general', alice.id)).toBe(false);
    expect(await chat.members('general', new Set())).toEqual([]);
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
