import type { LoginResponse } from '@realtime/contracts';
import { login } from '@realtime/test-support';

import { ChatClient } from '../chat/chat-client';
import { PRESENCE_BATCH, ROOMS, joinAll, manyRoomsEnv, queriesOf, queryBaseline } from '../chat/many-rooms';
import { Cluster } from './cluster-support';

/** Two instances on one Redis and one PostgreSQL: the presence batch and the chat's rate limits. */
describe('chat across two instances', () => {
  let cluster: Cluster;
  let alice: LoginResponse;
  let bob: LoginResponse;
  let carol: LoginResponse;

  beforeAll(async () => {
    cluster = await Cluster.start({
      env: {
        ...manyRoomsEnv,
        // Joins stay free for the presence test; carol's bucket is what the limit test spends.
        CHAT_TYPING_RATE_PER_S: '1',
        CHAT_TYPING_RATE_BURST: '4',
      },
    });
    [alice, bob, carol] = await Promise.all([
      login(cluster.a, 'alice'),
      login(cluster.b, 'bob'),
      login(cluster.a, 'carol'),
    ]);
  });
  afterEach(() => ChatClient.closeAll());
  afterAll(() => cluster?.dispose());

  it(`sends presence for a socket in ${ROOMS} rooms once per room to members on the other instance`, async () => {
    const rooms = Array.from({ length: ROOMS }, (_, i) => `cpb-${process.pid}-${i}`);
    const first = await ChatClient.connect(cluster.a, alice.accessToken);
    const onB = await ChatClient.connect(cluster.b, bob.accessToken);
    await joinAll(first, rooms);
    await joinAll(onB, rooms);
    const before = onB.received.length;
    const qa0 = await queryBaseline(cluster.a, alice.accessToken);
    const qb0 = await queryBaseline(cluster.b, alice.accessToken);

    first.close();
    const offline = (p: any) => p.members.some((m: any) => m.username === 'alice' && !m.online);
    await onB.next(
      () =>
        onB.received.slice(before).filter((r) => r.event === 'presence' && offline(r.data)).length >= ROOMS,
      `${ROOMS} presence events`,
    );
    const qa1 = await queriesOf(cluster.a, alice.accessToken);
    const qb1 = await queriesOf(cluster.b, alice.accessToken);
    // The sentinel: alice back in one room through B; the batch was all sent before it.
    const again = await ChatClient.connect(cluster.b, alice.accessToken);
    await again.request('join', { roomId: rooms[0] });
    await onB.waitFor('presence', (p) => p.roomId === rooms[0] && !offline(p));

    const batch = onB.received
      .slice(before)
      .filter((r) => r.event === 'presence' && offline(r.data))
      .map((r) => r.data.roomId);
    expect(batch).toHaveLength(ROOMS);
    expect(new Set(batch).size).toBe(ROOMS);
    // A computed it with one members query per 500 rooms (and one fetchSockets across the
    // cluster per 500 rooms, which costs B no query).
    // (+5 at most: the health checks' own token and session checks vary a little.)
    const onAQueries = qa1 - qa0.before - qa0.perCheck;
    expect(onAQueries).toBeLessThanOrEqual(Math.ceil(ROOMS / PRESENCE_BATCH) + 5);
    expect(qb1 - qb0.before - qb0.perCheck).toBeLessThanOrEqual(5);
  });

  it('shares the per-user typing bucket across instances', async () => {
    const onA = await ChatClient.connect(cluster.a, carol.accessToken);
    const onB = await ChatClient.connect(cluster.b, carol.accessToken);
    const roomId = `crl-${process.pid}`;
    expect(await onA.request('join', { roomId })).toMatchObject({ ok: true });
    expect(await onB.request('join', { roomId })).toMatchObject({ ok: true });
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push(await onA.request('typing', { roomId, isTyping: i % 2 === 0 }));
    for (let i = 0; i < 3; i++) acks.push(await onB.request('typing', { roomId, isTyping: i % 2 === 0 }));
    // Four tokens for the cluster: the fifth and sixth are refused wherever they land.
    expect(acks.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
  });
});
