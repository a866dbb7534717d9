import { io, type Socket } from 'socket.io-client';

import { CHAT_NAMESPACE, type ChatMessage, type Notification } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

import { envCount, insertUsers, signToken, until } from './support';

/** Random operations: 300 in CI, AUTHZ_OPS=5000 by hand; AUTHZ_SEED replays a run. */
const OPS = envCount('AUTHZ_OPS', 300);
const SEED = envCount('AUTHZ_SEED', Date.now() % 1_000_000_000);
const EXTRA_USERS = 9;
const ROOMS = ['r0', 'r1', 'r2', 'r3'];

/** mulberry32: a small seeded PRNG, so that a failing run can be replayed with AUTHZ_SEED. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Member {
  id: number;
  name: string;
  role: 'admin' | 'operator' | 'viewer';
  token: string;
  stream: RawSse;
  socket: Socket;
  rooms: Set<string>;
  chats: ChatMessage[];
}

describe('authorization under random traffic from many users', () => {
  let api: ApiProcess;
  const users: Member[] = [];

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        NOTIFY_RATE_PER_S: '100000',
        NOTIFY_RATE_BURST: '100000',
        CHAT_RATE_PER_S: '100000',
        CHAT_RATE_BURST: '100000',
      },
    });
    const names = Array.from({ length: EXTRA_USERS }, (_, i) => `user${i + 1}`);
    const roles = ['admin', 'operator', 'viewer'] as const;
    const ids = await insertUsers(api, names, [...roles]);
    const accounts = [
      ...(await Promise.all(['alice', 'bob', 'carol'].map((n) => login(api, n)))).map((l) => ({
        id: l.user.id,
        name: l.user.username,
        role: l.user.role,
        token: l.accessToken,
      })),
      ...ids.map((id, i) => ({
        id,
        name: names[i],
        role: roles[i % roles.length],
        token: signToken({ sub: String(id), username: names[i] }),
      })),
    ];
    for (const account of accounts) {
      const stream = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, {
        authorization: `Bearer ${account.token}`,
      });
      const socket = io(api.baseUrl + CHAT_NAMESPACE, {
        auth: { token: account.token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      const member: Member = { ...account, stream, socket, rooms: new Set(), chats: [] };
      socket.on('chat', (m: ChatMessage) => member.chats.push(m));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      await stream.waitForEvents('connected');
      users.push(member);
    }
  });
  afterAll(async () => {
    for (const u of users) {
      u.stream.close();
      u.socket.close();
    }
    await api?.dispose();
  });

  it(
    `${OPS} random operations by ${3 + EXTRA_USERS} users of every role: nobody sees another's notifications, viewers notify nobody, rooms are enforced`,
    async () => {
      const random = prng(SEED);
      const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
      const expected = new Map<number, number[]>(users.map((u) => [u.id, []]));
      const created: Notification[] = [];
      const sentTo = new Map<string, ChatMessage[]>(ROOMS.map((r) => [r, []]));
      /** Per user, the chat messages sent while it was in the room: exactly what it must get. */
      const owed = new Map<number, number[]>(users.map((u) => [u.id, []]));
      const tally = { notify: 0, refused: 0, foreign: 0, join: 0, leave: 0, chat: 0, notMember: 0 };

      const op = async (n: number) => {
        const actor = pick(users);
        const roll = random();
        if (roll < 0.4) {
          const target = pick(users);
          const res = await request(api, 'POST', '/api/notifications', {
            token: actor.token,
            body: { userId: target.id, title: `for ${target.id} #${n}`, message: `from ${actor.id}` },
          });
          // Viewers may not notify anyone: a 403 naming the role it needs, and nothing stored.
          if (actor.role === 'viewer') {
            expect(res.status).toBe(403);
            expect(res.body).toMatchObject({ statusCode: 403, requiredRole: 'operator' });
            tally.refused++;
            return;
          }
          expect(res.status).toBe(201);
          expect(res.body.sender).toEqual({ id: actor.id, username: actor.name });
          expect(res.body.userId).toBe(target.id);
          expected.get(target.id)!.push(res.body.id);
          created.push(res.body);
          tally.notify++;
        } else if (roll < 0.55 && created.length) {
          // Someone else's notification: 404 whatever the verb, and nothing changes.
          const victim = pick(created);
          if (victim.userId === actor.id) return;
          const verb = random() < 0.5 ? 'PUT' : 'DELETE';
          const path =
            verb === 'PUT' ? `/api/notifications/${victim.id}/read` : `/api/notifications/${victim.id}`;
          const res = await request(api, verb, path, { token: actor.token });
          expect(res.status).toBe(404);
          tally.foreign++;
        } else if (roll < 0.7) {
          const room = pick(ROOMS);
          if (actor.rooms.has(room)) {
            expect(await actor.socket.timeout(5000).emitWithAck('leave', { roomId: room })).toMatchObject({
              ok: true,
            });
            actor.rooms.delete(room);
            tally.leave++;
          } else {
            actor.rooms.add(room);
            expect(await actor.socket.timeout(5000).emitWithAck('join', { roomId: room })).toMatchObject({
              ok: true,
            });
            tally.join++;
          }
        } else {
          const room = pick(ROOMS);
          const member = actor.rooms.has(room);
          const ack = await actor.socket
            .timeout(5000)
            .emitWithAck('chat', { roomId: room, content: `#${n}`, clientId: `op-${n}` });
          if (member) {
            expect(ack).toMatchObject({ ok: true });
            sentTo.get(room)!.push(ack.message);
            for (const u of users) if (u.rooms.has(room)) owed.get(u.id)!.push(ack.message.id);
            tally.chat++;
          } else {
            expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
            const typing = await actor.socket
              .timeout(5000)
              .emitWithAck('typing', { roomId: room, isTyping: true });
            expect(typing).toMatchObject({ ok: false, error: { code: 'NOT_MEMBER' } });
            tally.notMember++;
          }
        }
      };
      // One operation at a time per step keeps the membership model exact; steps are quick.
      for (let n = 0; n < OPS; n++) await op(n);

      // Every user's stream got exactly its own notifications, in order; nobody else's.
      for (const u of users) {
        const want = expected.get(u.id)!;
        const got = await u.stream.until(
          (s) => {
            const items = s.events.filter((e) => e.event === 'notification').map((e) => JSON.parse(e.data));
            return items.length >= want.length ? items : undefined;
          },
          20_000,
          `${want.length} notifications for ${u.name}`,
        );
        expect(got.map((x: Notification) => x.userId).filter((id: number) => id !== u.id)).toEqual([]);
        expect(got.map((x: Notification) => x.id)).toEqual(want);
        const list = await request(api, 'GET', '/api/notifications?limit=100', { token: u.token });
        expect(list.body.every((x: Notification) => x.userId === u.id)).toBe(true);
      }
      // Resuming from the very start (Last-Event-ID: 0, or any other user's event id) replays
      // only one's own events.
      for (const u of users.slice(0, 4)) {
        const replay = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, {
          authorization: `Bearer ${u.token}`,
          'last-event-id': '0',
        });
        const want = expected.get(u.id)!;
        const got = await replay.until(
          (s) => {
            const items = s.events.filter((e) => e.event === 'notification').map((e) => JSON.parse(e.data));
            return items.length >= want.length ? items : undefined;
          },
          20_000,
          `the replay for ${u.name}`,
        );
        replay.close();
        expect(got.map((x: Notification) => x.id)).toEqual(want);
      }
      // Chat: each socket received exactly the messages sent while it was in the room (the
      // server emits before it acks, and joins and leaves were acked before the next step).
      for (const u of users) {
        const want = owed.get(u.id)!;
        await until(() => u.chats.length >= want.length, `${want.length} chat messages for ${u.name}`);
        expect(u.chats.map((m) => m.id)).toEqual(want);
      }
      process.stdout.write(`authorization: seed ${SEED}, ${OPS} ops ${JSON.stringify(tally)}\n`);
    },
    60_000 + OPS * 100,
  );
});
