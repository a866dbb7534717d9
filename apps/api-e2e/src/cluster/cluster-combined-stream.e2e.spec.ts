import type { LoginResponse } from '@realtime/contracts';
import { type RawSse, login } from '@realtime/test-support';

import { openStream as openDashboard } from '../dashboard/dashboard-support';
import { notify } from '../notifications/clients';
import { expectCombinedIds, ofDashboard, openCombined, positions } from '../stream/combined-support';
import { Cluster } from './cluster-support';

/**
 * The combined stream across two instances (real Redis, real PostgreSQL): a browser whose tab
 * that held the stream closed, and whose next tab lands on the other instance, resumes every
 * channel there exactly.
 */
describe('cluster: the combined stream resumes on the other instance', () => {
  let cluster: Cluster;
  let alice: LoginResponse;
  let bob: LoginResponse;
  const open: RawSse[] = [];
  const track = (s: RawSse) => (open.push(s), s);

  beforeAll(async () => {
    cluster = await Cluster.start();
    [alice, bob] = await Promise.all([login(cluster.a, 'alice'), login(cluster.b, 'bob')]);
  });
  afterAll(async () => {
    open.forEach((s) => s.close());
    await cluster?.dispose();
  });

  it('gets on B exactly the ticks and notifications it missed after leaving A', async () => {
    const { a, b } = cluster;
    const observer = track(await openDashboard(b, alice.accessToken));
    const first = track(await openCombined(a, bob.accessToken));
    await first.waitForEvents('connected');
    await first.waitForEvents('metrics', 2);
    const one = await notify(b, alice.accessToken, { userId: bob.user.id, title: 'one', message: '' });
    const [seen] = await first.waitForEvents('notification');
    expect(JSON.parse(seen.data).id).toBe(one.body.id);
    const lastId = first.events.at(-1)!.id!;
    first.close();

    const missed = [];
    for (const [api, title] of [
      [a, 'two'],
      [b, 'three'],
    ] as const)
      missed.push((await notify(api, alice.accessToken, { userId: bob.user.id, title, message: '' })).body);
    const since = positions(lastId)['dashboard'];
    const ticks = await observer.until(
      (o) => {
        const after = o.events.filter((e) => e.event === 'metrics' && Number(e.id) > since);
        return after.length >= 3 ? after.slice(0, 3) : undefined;
      },
      20_000,
      'three ticks after the client left',
    );

    const back = track(await openCombined(b, bob.accessToken, { 'last-event-id': lastId }));
    await back.waitForEvents('notification', 2, 20_000);
    await back.until((s) => ofDashboard(s.events).length >= 3 || undefined, 20_000, 'three ticks');
    expect(
      ofDashboard(back.events)
        .slice(0, 3)
        .map((e) => [positions(e.id)['dashboard'], e.data]),
    ).toEqual(ticks.map((e) => [Number(e.id), e.data]));
    const notifications = back.events
      .filter((e) => e.event === 'notification')
      .map((e) => JSON.parse(e.data));
    expect(notifications.slice(0, 2)).toEqual(missed);
    expect(back.events.some((e) => e.event === 'reset')).toBe(false);
    expectCombinedIds(back.events);
  });
});
