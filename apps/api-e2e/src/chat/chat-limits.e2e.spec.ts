import type { LoginResponse } from '@realtime/contracts';
import { ApiProcess, login, request } from '@realtime/test-support';

import { ChatClient } from './chat-client';

/** Every per-user bound of the chat, each with its code; the socket stays up after each. */
describe('chat caps and rate limits', () => {
  describe('caps', () => {
    let api: ApiProcess;
    let alice: LoginResponse;
    let bob: LoginResponse;

    beforeAll(async () => {
      api = await ApiProcess.start({
        env: {
          SIMULATOR: 'false',
          CHAT_ROOMS_CREATED_MAX: '2',
          CHAT_ROOMS_JOINED_MAX: '3',
          CHAT_CREATE_RATE_BURST: '100',
          CHAT_JOIN_RATE_BURST: '100',
        },
      });
      [alice, bob] = await Promise.all([login(api, 'alice'), login(api, 'bob')]);
    });
    afterEach(() => ChatClient.closeAll());
    afterAll(() => api.dispose());

    it('caps rooms created per user (409 LIMIT_REACHED), and deleting one frees a place', async () => {
      const made: string[] = [];
      for (const name of ['cap one', 'cap two']) {
        const res = await request(api, 'POST', '/api/chat/rooms', {
          token: alice.accessToken,
          body: { name },
        });
        expect(res.status).toBe(201);
        made.push(res.body.id);
      }
      const third = await request(api, 'POST', '/api/chat/rooms', {
        token: alice.accessToken,
        body: { name: 'cap three' },
      });
      expect(third.status).toBe(409);
      expect(third.body).toMatchObject({ code: 'LIMIT_REACHED', limit: 2 });
      // A join that would create a room counts as a creation too.
      const a = await ChatClient.connect(api, alice.accessToken);
      expect(await a.request('join', { roomId: 'cap-by-join' })).toMatchObject({
        ok: false,
        error: { code: 'LIMIT_REACHED', limit: 2 },
      });
      expect(
        (await request(api, 'DELETE', `/api/chat/rooms/${made[1]}`, { token: alice.accessToken })).status,
      ).toBe(204);
      expect(
        (
          await request(api, 'POST', '/api/chat/rooms', {
            token: alice.accessToken,
            body: { name: 'cap three' },
          })
        ).status,
      ).toBe(201);
    });

    it('caps rooms joined per user, on the socket and for invites', async () => {
      const b = await ChatClient.connect(api, bob.accessToken);
      for (const roomId of ['general', 'ops', 'sales']) {
        expect(await b.request('join', { roomId })).toMatchObject({ ok: true });
      }
      // Joining again is no new membership: fine.
      expect(await b.request('join', { roomId: 'ops' })).toMatchObject({ ok: true });
      const fourth = await b.request('join', { roomId: 'cap-one' });
      expect(fourth).toMatchObject({ ok: false, error: { code: 'LIMIT_REACHED', limit: 3 } });
      const invite = await request(api, 'POST', '/api/chat/rooms/cap-one/members', {
        token: alice.accessToken,
        body: { username: 'bob' },
      });
      expect(invite.status).toBe(409);
      expect(invite.body).toMatchObject({ code: 'LIMIT_REACHED' });
      // Leaving frees a place; the socket was up all along.
      expect(await b.request('leave', { roomId: 'sales' })).toMatchObject({ ok: true });
      expect(await b.request('join', { roomId: 'cap-one' })).toMatchObject({ ok: true });
    });
  });

  describe('rate limits', () => {
    let api: ApiProcess;
    let alice: LoginResponse;
    let bob: LoginResponse;
    let carol: LoginResponse;

    beforeAll(async () => {
      // Small buckets that refill slowly, so that a burst certainly overflows each.
      api = await ApiProcess.start({
        env: {
          SIMULATOR: 'false',
          CHAT_JOIN_RATE_PER_S: '1',
          CHAT_JOIN_RATE_BURST: '4',
          CHAT_TYPING_RATE_PER_S: '1',
          CHAT_TYPING_RATE_BURST: '3',
          CHAT_CREATE_RATE_PER_MIN: '1',
          // Creating joins below spend 4 of alice's; bob's own bucket is what the last test spends.
          CHAT_CREATE_RATE_BURST: '6',
        },
      });
      [alice, bob, carol] = await Promise.all([login(api, 'alice'), login(api, 'bob'), login(api, 'carol')]);
    });
    afterEach(() => ChatClient.closeAll());
    afterAll(() => api.dispose());

    const limited = (ack: any) => ack.ok === false && ack.error.code === 'RATE_LIMITED';

    it('limits joins and leaves per user with RATE_LIMITED and a retry time', async () => {
      const a = await ChatClient.connect(api, alice.accessToken);
      const joins = await Promise.all(
        Array.from({ length: 8 }, (_, i) => a.request('join', { roomId: `rl-${i}` })),
      );
      expect(joins.filter((j) => j.ok)).toHaveLength(4);
      for (const ack of joins.filter((j) => !j.ok)) {
        expect(ack.error).toEqual({
          code: 'RATE_LIMITED',
          message: expect.any(String),
          retryAfterMs: expect.any(Number),
        });
      }
      // A second socket of the same user shares the bucket.
      const a2 = await ChatClient.connect(api, alice.accessToken);
      expect(limited(await a2.request('join', { roomId: 'rl-x' }))).toBe(true);
      const leaves = await Promise.all(
        Array.from({ length: 8 }, (_, i) => a.request('leave', { roomId: `rl-${i}` })),
      );
      expect(leaves.filter((l) => l.ok)).toHaveLength(4);
      expect(leaves.filter(limited)).toHaveLength(4);
      expect(a.socket.connected).toBe(true);
    });

    it('limits typing updates per user, and relays a burst of toggles as a few events', async () => {
      // carol types (alice's join bucket is spent above), bob watches.
      const a = await ChatClient.connect(api, carol.accessToken);
      const b = await ChatClient.connect(api, bob.accessToken);
      expect(await a.request('join', { roomId: 'general' })).toMatchObject({ ok: true });
      expect(await b.request('join', { roomId: 'general' })).toMatchObject({ ok: true });
      const acks = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          a.request('typing', { roomId: 'general', isTyping: i % 2 === 0 }),
        ),
      );
      expect(acks.filter((t) => t.ok)).toHaveLength(3);
      expect(acks.filter(limited)).toHaveLength(7);
      // Three accepted changes (on, off, on) become at most two relays: the first at once and
      // the last state at the end of the window.
      const last = await b.waitFor('typing', (t) => t.isTyping === true && t.userId === carol.user.id);
      expect(last.isTyping).toBe(true);
      expect(b.all('typing').filter((t) => t.userId === carol.user.id).length).toBeLessThanOrEqual(2);
    });

    it('limits room creation per user with a 429 RATE_LIMITED', async () => {
      const statuses: number[] = [];
      let refusal: any;
      for (let i = 0; i < 8; i++) {
        const res = await request(api, 'POST', '/api/chat/rooms', {
          token: bob.accessToken,
          body: { name: `fast ${i}` },
        });
        statuses.push(res.status);
        if (res.status === 429) refusal = res.body;
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429, 429]);
      expect(refusal).toMatchObject({
        statusCode: 429,
        code: 'RATE_LIMITED',
        retryAfterMs: expect.any(Number),
      });
    });
  });
});
