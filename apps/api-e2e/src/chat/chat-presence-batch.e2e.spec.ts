import type { LoginResponse } from '@realtime/contracts';
import { ApiProcess, login } from '@realtime/test-support';

import { ChatClient } from './chat-client';
import { PRESENCE_BATCH, ROOMS, joinAll, manyRoomsEnv, queriesOf } from './many-rooms';

describe(`chat presence when a socket in ${ROOMS} rooms goes away`, () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;
  const rooms = Array.from({ length: ROOMS }, (_, i) => `pb-${process.pid}-${i}`);

  beforeAll(async () => {
    api = await ApiProcess.start({ env: manyRoomsEnv });
    [alice, bob] = await Promise.all([login(api, 'alice'), login(api, 'bob')]);
  });
  afterEach(() => ChatClient.closeAll());
  afterAll(() => api.dispose());

  it('sends presence once per room, in one batch: one members query per 500 rooms, no query per room', async () => {
    const a = await ChatClient.connect(api, alice.accessToken);
    const b = await ChatClient.connect(api, bob.accessToken);
    await joinAll(a, rooms);
    await joinAll(b, rooms);
    const before = b.received.length;
    const q0 = await queriesOf(api);

    a.close();
    const offline = (p: any) => p.members.some((m: any) => m.username === 'alice' && !m.online);
    await b.next(
      () => b.received.slice(before).filter((r) => r.event === 'presence' && offline(r.data)).length >= ROOMS,
      `${ROOMS} presence events`,
    );
    const q1 = await queriesOf(api);

    // A sentinel after the batch: alice comes back to one room. Everything of the batch was
    // sent before it, so what bob has now is all the batch sent.
    const again = await ChatClient.connect(api, alice.accessToken);
    await again.request('join', { roomId: rooms[0] });
    await b.waitFor('presence', (p) => p.roomId === rooms[0] && !offline(p));

    const batch = b.received
      .slice(before)
      .filter((r) => r.event === 'presence' && offline(r.data))
      .map((r) => r.data.roomId as string);
    expect(batch).toHaveLength(ROOMS);
    expect(new Set(batch)).toEqual(new Set(rooms));
    // Exactly one members query per batch of rooms, nothing per room (the `- 1` is the second
    // health check's own ping).
    expect(q1 - q0 - 1).toBe(Math.ceil(ROOMS / PRESENCE_BATCH));
    // Bob's view of each room: both members, alice offline, bob online.
    const last = b.received.slice(before).find((r) => r.event === 'presence')!.data;
    expect(last.members).toEqual([
      { userId: alice.user.id, username: 'alice', online: false },
      { userId: bob.user.id, username: 'bob', online: true },
    ]);
  });

  it('sends nothing for rooms where the user is still there through another socket', async () => {
    const a1 = await ChatClient.connect(api, alice.accessToken);
    const a2 = await ChatClient.connect(api, alice.accessToken);
    const b = await ChatClient.connect(api, bob.accessToken);
    const some = rooms.slice(0, 20);
    await joinAll(a1, some);
    await joinAll(a2, some.slice(0, 10));
    await joinAll(b, some);
    const before = b.received.length;
    a1.close();
    // Rooms 10–19 lost alice; rooms 0–9 still have her (a2): no presence for those.
    await b.next(
      () => b.received.slice(before).filter((r) => r.event === 'presence').length >= 10,
      'presence for the rooms alice left',
    );
    a2.close();
    await b.next(
      () => b.received.slice(before).filter((r) => r.event === 'presence').length >= 20,
      'presence for the rest',
    );
    const ids = b.received
      .slice(before)
      .filter((r) => r.event === 'presence')
      .map((r) => r.data.roomId);
    expect(ids.slice(0, 10).sort()).toEqual(some.slice(10).sort());
    expect(ids.slice(10).sort()).toEqual(some.slice(0, 10).sort());
  });
});
