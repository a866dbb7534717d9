import type { LoginResponse } from '@realtime/contracts';
import { login, request } from '@realtime/test-support';

import { ChatClient } from '../chat/chat-client';
import { notify, openStream as openNotifications, parsed } from '../notifications/clients';
import { Cluster, OwnRedis, eventually, health } from './cluster-support';

/**
 * Redis goes away and comes back while the cluster serves: a redis-server of this test's own
 * (the machine's shared one is never restarted), killed with SIGKILL and started again empty.
 */
describe('cluster: Redis restart during traffic', () => {
  let redis: OwnRedis;
  let cluster: Cluster;
  let alice: LoginResponse;
  let bob: LoginResponse;
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await Cluster.start({ redisUrl: redis.url });
    [alice, bob] = await Promise.all([login(cluster.a, 'alice'), login(cluster.b, 'bob')]);
  });
  afterAll(async () => {
    open.forEach((c) => c.close());
    ChatClient.closeAll();
    await cluster?.dispose();
    await redis?.kill();
  });

  it('keeps serving each instance its own clients, loses no stored notification, and carries on', async () => {
    const { a, b } = cluster;
    const stream = await openNotifications(b, bob.accessToken);
    open.push(stream);
    await stream.waitForEvents('connected');
    const chat = await ChatClient.connect(a, alice.accessToken);
    const before = await notify(a, alice.accessToken, { userId: bob.user.id, title: 'before', message: '' });
    await stream.until(() => parsed(stream, 'notification').length === 1, 15_000, 'the first notification');

    await redis.kill();
    for (const api of [a, b]) {
      await eventually(
        () => health(api),
        (h) => h.degraded && h.details.redis.status === 'down',
        'degraded',
      );
    }

    // Meanwhile: every request answers, nothing is a 500.
    const during: Array<{ id: number }> = [];
    for (const title of ['during 1', 'during 2']) {
      const res = await notify(a, alice.accessToken, { userId: bob.user.id, title, message: '' });
      expect(res.status).toBe(201);
      during.push(res.body);
    }
    expect((await login(b, 'alice')).accessToken).toBeTruthy(); // the login throttle counts locally
    expect((await request(b, 'GET', '/api/dashboard/snapshot', { token: bob.accessToken })).status).toBe(200);
    const roomId = `outage-${process.pid}-${Date.now()}`;
    expect(await chat.request('join', { roomId })).toMatchObject({ ok: true });
    const sent = await chat.request('chat', { roomId, content: 'Redis is away', clientId: 'o-1' });
    expect(sent).toMatchObject({ ok: true });
    expect(await chat.waitFor('chat', (m) => m.clientId === 'o-1')).toEqual(sent.message);
    // A notification for bob posted on B itself still reaches his stream on B.
    const local = await notify(b, alice.accessToken, { userId: bob.user.id, title: 'on B', message: '' });
    await stream.until(
      () => parsed(stream, 'notification').some((e) => e.data.id === local.body.id),
      15_000,
      'the notification posted on B during the outage',
    );

    await redis.spawn();
    for (const api of [a, b]) {
      await eventually(
        () => health(api),
        (h) => !h.degraded && h.details.redis.status === 'up',
        'Redis back',
      );
    }
    // Back: what A stored while the instances were apart reaches bob's stream on B (caught up
    // from the database), in id order, each once; and live delivery carries on.
    await stream.until(
      () => during.every((n) => parsed(stream, 'notification').some((e) => e.data.id === n.id)),
      20_000,
      'the notifications stored during the outage',
    );
    const after = await notify(a, alice.accessToken, { userId: bob.user.id, title: 'after', message: '' });
    await stream.until(
      () => parsed(stream, 'notification').some((e) => e.data.id === after.body.id),
      20_000,
      'the notification posted after the restart',
    );
    const got = parsed(stream, 'notification').map((e) => e.data.id);
    expect([...got].sort((x, y) => x - y)).toEqual(got);
    expect(new Set(got).size).toBe(got.length);
    expect(new Set(got)).toEqual(
      new Set([before.body.id, ...during.map((n) => n.id), local.body.id, after.body.id]),
    );
    const list = await request(b, 'GET', '/api/notifications', { token: bob.accessToken });
    expect(list.body.map((n: { id: number }) => n.id).sort()).toEqual([...got].sort());

    // Chat crosses instances again too.
    const onB = await ChatClient.connect(b, bob.accessToken);
    expect(await onB.request('join', { roomId })).toMatchObject({ ok: true });
    await eventually(
      async () => chat.request('chat', { roomId, content: 'again', clientId: `o-${Date.now()}` }),
      () => onB.all('chat').length > 0,
      'a chat message from A to reach B',
    );
  });
  it('lets an instance that starts while Redis is down join the others once it is up', async () => {
    const { a, b } = cluster;
    await redis.kill();
    await a.restart('SIGKILL'); // starts without Redis: serves, degraded
    expect((await health(a)).degraded).toBe(true);
    const stream = await openNotifications(a, alice.accessToken);
    open.push(stream);
    await stream.waitForEvents('connected');
    await redis.spawn();
    for (const api of [a, b]) {
      await eventually(
        () => health(api),
        (h) => !h.degraded,
        'Redis back',
      );
    }
    // Posted on B, delivered on A: A subscribed once Redis was there.
    const posted = await notify(b, bob.accessToken, {
      userId: alice.user.id,
      title: 'late join',
      message: '',
    });
    await stream.until(
      () => parsed(stream, 'notification').some((e) => e.data.id === posted.body.id),
      20_000,
      'the notification from B',
    );
    const onA = await ChatClient.connect(a, alice.accessToken);
    const onB = await ChatClient.connect(b, bob.accessToken);
    const roomId = `late-${process.pid}-${Date.now()}`;
    for (const c of [onA, onB]) expect(await c.request('join', { roomId })).toMatchObject({ ok: true });
    const sent = await onB.request('chat', { roomId, content: 'hello late joiner', clientId: 'late-1' });
    expect(await onA.waitFor('chat', (m) => m.clientId === 'late-1')).toEqual(sent.message);
  });
});
