import { Logger, NotFoundException } from '@nestjs/common';

import { decodeBusMessage, userChannel } from './notification-events';
import { ALICE, notificationsTestbed } from './testing';

describe('NotificationsService', () => {
  let bed: Awaited<ReturnType<typeof notificationsTestbed>>;
  beforeEach(async () => {
    bed = await notificationsTestbed();
  });
  afterEach(() => bed.close());

  const events = async (userId: number) =>
    bed.database.db
      .selectFrom('notification_events')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();

  it('stores a notification with its event, and publishes that event on the user channel only', async () => {
    const bob: string[] = [];
    const alice: string[] = [];
    const subs = [
      bed.bus.channel(userChannel(2)).subscribe((m) => bob.push(m)),
      bed.bus.channel(userChannel(1)).subscribe((m) => alice.push(m)),
    ];
    const n = await bed.notifications.create({ userId: 'bob', title: 'Hi', message: 'there' }, ALICE);
    expect(n).toEqual({
      id: expect.any(Number),
      userId: 2,
      type: 'info',
      title: 'Hi',
      message: 'there',
      createdAt: expect.any(String),
      readAt: null,
      sender: { id: 1, username: 'alice' },
    });
    const [stored] = await events(2);
    expect(stored).toMatchObject({ kind: 'notification', payload: JSON.stringify(n) });
    expect(bob.map(decodeBusMessage)).toEqual([
      { id: Number(stored.id), kind: 'notification', payload: stored.payload },
    ]);
    expect(alice).toEqual([]);
    subs.forEach((s) => s.unsubscribe());
  });

  it('refuses an unknown recipient with one and the same 404 for ids and usernames, and stores nothing', async () => {
    const byName = bed.notifications.create({ userId: 'mallory', title: 't', message: 'm' }, ALICE);
    await expect(byName).rejects.toThrow(NotFoundException);
    await expect(byName).rejects.toThrow('userId: no such user');
    await expect(bed.notifications.create({ userId: 99, title: 't', message: 'm' }, ALICE)).rejects.toThrow(
      'userId: no such user',
    );
    // A disabled user is not a recipient either, and says no more than an unknown one.
    await bed.database.db.updateTable('users').set({ disabled_at: 1 }).where('id', '=', 3).execute();
    await expect(
      bed.notifications.create({ userId: 'carol', title: 't', message: 'm' }, ALICE),
    ).rejects.toThrow('userId: no such user');
    expect(await bed.database.db.selectFrom('notification_events').selectAll().execute()).toEqual([]);
  });

  it('stores a system sender as such, and lists each notification with its sender', async () => {
    await bed.notifications.create({ userId: 2, title: 'from alice', message: '' }, ALICE);
    await bed.notifications.create({ userId: 2, title: 'from the system', message: '' }, { system: true });
    const page = await bed.notifications.list(2, { limit: 10 });
    expect(page.items.map((n) => [n.title, n.sender])).toEqual([
      ['from the system', { system: true }],
      ['from alice', { id: 1, username: 'alice' }],
    ]);
  });

  it('broadcasts one notification to every enabled user, each with its own event', async () => {
    await bed.database.db.updateTable('users').set({ disabled_at: 1 }).where('id', '=', 3).execute();
    const recipients = await bed.notifications.broadcast({ title: 'all hands', message: '' }, ALICE);
    expect(recipients).toBe(2);
    for (const id of [1, 2]) {
      expect((await bed.notifications.list(id, { limit: 10 })).items).toMatchObject([
        { userId: id, title: 'all hands', sender: { id: 1, username: 'alice' } },
      ]);
    }
    expect((await bed.notifications.list(3, { limit: 10 })).items).toEqual([]);
  });

  it('lists newest first with a cursor and counts the unread', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await bed.notifications.create({ userId: 3, title: `n${i}`, message: '' }, ALICE)).id);
    }
    const page1 = await bed.notifications.list(3, { limit: 2 });
    expect(page1.items.map((n) => n.id)).toEqual([ids[4], ids[3]]);
    expect(page1).toMatchObject({ unreadCount: 5, nextCursor: String(ids[3]) });
    const page3 = await bed.notifications.list(3, { limit: 2, cursor: String(ids[1]) });
    expect(page3.items.map((n) => n.id)).toEqual([ids[0]]);
    expect(page3.nextCursor).toBeNull();
    expect((await bed.notifications.list(2, { limit: 10 })).items).toEqual([]);
  });

  it('marks read once: a second read changes nothing and writes no event', async () => {
    const n = await bed.notifications.create({ userId: 2, title: 't', message: '' }, ALICE);
    const read = await bed.notifications.markRead(2, n.id);
    expect(read.readAt).not.toBeNull();
    expect(await bed.notifications.markRead(2, n.id)).toEqual(read);
    const kinds = (await events(2)).map((e) => e.kind);
    expect(kinds).toEqual(['notification', 'notification-read']);
    expect(JSON.parse((await events(2))[1].payload)).toEqual({ ids: [n.id], readAt: read.readAt });
    expect(await bed.notifications.unreadCount(2)).toBe(0);
  });

  it('marks all read as one event listing the ids, and writes nothing when none is unread', async () => {
    const a = await bed.notifications.create({ userId: 2, title: 'a', message: '' }, ALICE);
    const b = await bed.notifications.create({ userId: 2, title: 'b', message: '' }, ALICE);
    await bed.notifications.create({ userId: 1, title: 'for alice', message: '' }, ALICE);
    await bed.notifications.markRead(2, a.id);
    const all = await bed.notifications.markAllRead(2);
    expect(all.ids).toEqual([b.id]);
    expect(await bed.notifications.unreadCount(1)).toBe(1);
    const none = await bed.notifications.markAllRead(2);
    expect(none.ids).toEqual([]);
    expect((await events(2)).map((e) => e.kind)).toEqual([
      'notification',
      'notification',
      'notification-read',
      'notification-read',
    ]);
  });

  it("answers 404 for another user's or an unknown notification, and changes nothing", async () => {
    const n = await bed.notifications.create({ userId: 2, title: 't', message: '' }, ALICE);
    await expect(bed.notifications.markRead(1, n.id)).rejects.toThrow(`Notification ${n.id} not found`);
    await expect(bed.notifications.remove(1, n.id)).rejects.toThrow(NotFoundException);
    await expect(bed.notifications.remove(2, 12345)).rejects.toThrow(NotFoundException);
    expect((await bed.notifications.list(2, { limit: 10 })).items).toEqual([n]);
    expect(await events(1)).toEqual([]);
  });

  it('deletes with an event', async () => {
    const n = await bed.notifications.create({ userId: 2, title: 't', message: '' }, ALICE);
    await bed.notifications.remove(2, n.id);
    expect((await bed.notifications.list(2, { limit: 10 })).items).toEqual([]);
    const last = (await events(2)).at(-1)!;
    expect(last).toMatchObject({ kind: 'notification-deleted', payload: JSON.stringify({ id: n.id }) });
  });

  it('publishes the changes of one user in event id order, even when they are requested at once', async () => {
    const got: number[] = [];
    const sub = bed.bus.channel(userChannel(2)).subscribe((m) => got.push(decodeBusMessage(m)!.id));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        bed.notifications.create({ userId: 2, title: `t${i}`, message: '' }, ALICE),
      ),
    );
    expect(got).toHaveLength(10);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    sub.unsubscribe();
  });

  it('keeps the change when the bus cannot publish: resume finds it in the database', async () => {
    jest.spyOn(bed.bus, 'publish').mockRejectedValueOnce(new Error('bus down'));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const n = await bed.notifications.create({ userId: 2, title: 't', message: '' }, ALICE);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/bus down/));
    warn.mockRestore();
    expect((await events(2)).map((e) => JSON.parse(e.payload).id)).toEqual([n.id]);
  });
});
