import type { LoginResponse } from '@realtime/contracts';
import { login } from '@realtime/test-support';

import { ChatClient } from '../chat/chat-client';
import { PRESENCE_BATCH, ROOMS, joinAll, manyRoomsEnv, queriesOf } from '../chat/many-rooms';
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
    const [qa0, qb0] = [await queriesOf(cluster.a), await queriesOf(cluster.b)];

    first.close();
    const offline = (p: any) => p.members.some((m: any) => m.username === 'alice' && !m.online);
    await onB.next(
      () =>
        onB.received.slice(before).filter((r) => r.event === 'presence' && offline(r.data)).length >= ROOMS,
      `${ROOMS} presence events`,
    );
    const [qa1, qb1] = [await queriesOf(cluster.a), await queriesOf(cluster.b)];
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
    // A computed it with exactly one members query per 500 rooms (and one fetchSockets across
    // the cluster per 500 rooms, which costs B no query). `- 1`: each second health check's ping.
    expect(qa1 - qa0 - 1).toBe(Math.ceil(ROOMS / PRESENCE_BATCH));
    expect(qb1 - qb0 - 1).toBe(0);
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

/**
 * The chat's per-user buckets are the cluster's: four tokens spent on A and B together, the
 * fifth refused wherever it lands, with its code and when to try again. A cluster of its own:
 * the presence test above needs joins that never run out.
 */
describe('chat rate limits across two instances', () => {
  let cluster: Cluster;
  let bob: LoginResponse;
  let carol: LoginResponse;

  beforeAll(async () => {
    cluster = await Cluster.start({
      env: {
        SIMULATOR: 'false',
        // One token a second: the few milliseconds of a test refill none of them.
        CHAT_RATE_PER_S: '1',
        CHAT_RATE_BURST: '4',
        CHAT_JOIN_RATE_PER_S: '1',
        CHAT_JOIN_RATE_BURST: '4',
      },
    });
    [bob, carol] = await Promise.all([login(cluster.a, 'bob'), login(cluster.b, 'carol')]);
  });
  afterEach(() => ChatClient.closeAll());
  afterAll(() => cluster?.dispose());

  /** What each ack says, and every refusal's details. */
  function outcomes(acks: Array<{ ok: boolean; error?: { code: string; retryAfterMs?: number } }>) {
    const refused = acks.filter((a) => !a.ok).map((a) => a.error!);
    for (const error of refused) {
      expect(error).toEqual({
        code: 'RATE_LIMITED',
        message: expect.any(String),
        retryAfterMs: expect.any(Number),
      });
      // At one token a second, the next one is due within a second.
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(1000);
    }
    return acks.map((a) => (a.ok ? 'ok' : a.error!.code));
  }

  it('spends one message bucket per user across instances', async () => {
    const onA = await ChatClient.connect(cluster.a, carol.accessToken);
    const onB = await ChatClient.connect(cluster.b, carol.accessToken);
    const roomId = `crm-${process.pid}`;
    // Joins spend the join bucket (two of its four), not the message bucket.
    expect(await onA.request('join', { roomId })).toMatchObject({ ok: true });
    expect(await onB.request('join', { roomId })).toMatchObject({ ok: true });
    const acks = [];
    for (let i = 0; i < 3; i++)
      acks.push(await onA.request('chat', { roomId, content: `a${i}`, clientId: `a${i}` }));
    for (let i = 0; i < 3; i++)
      acks.push(await onB.request('chat', { roomId, content: `b${i}`, clientId: `b${i}` }));
    expect(outcomes(acks)).toEqual(['ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    // The refusal also came as an error event, and the socket stays up.
    expect(onB.all('error').map((e) => e.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(onB.socket.connected).toBe(true);
  });

  it('spends one join bucket per user across instances', async () => {
    const onA = await ChatClient.connect(cluster.a, bob.accessToken);
    const onB = await ChatClient.connect(cluster.b, bob.accessToken);
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push(await onA.request('join', { roomId: `crj-${process.pid}-a${i}` }));
    for (let i = 0; i < 3; i++) acks.push(await onB.request('join', { roomId: `crj-${process.pid}-b${i}` }));
    expect(outcomes(acks)).toEqual(['ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(onB.all('error').map((e) => e.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(onB.socket.connected).toBe(true);
  });
});
