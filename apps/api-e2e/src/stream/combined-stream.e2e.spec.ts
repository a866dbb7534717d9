import type { LoginResponse } from '@realtime/contracts';
import { ApiProcess, type RawSse, login, request } from '@realtime/test-support';

import { openStream as openDashboard } from '../dashboard/dashboard-support';
import { notify } from '../notifications/clients';
import { expectCombinedIds, ofDashboard, ofNotifications, openCombined, positions } from './combined-support';

/**
 * `GET /api/stream`: one SSE stream for every channel a user follows (the browser's one
 * connection), on whichever database E2E_DB names. Its ids carry each channel's position, so a
 * client that comes back resumes every channel exactly.
 */
describe('combined stream (GET /api/stream)', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;
  const open: RawSse[] = [];
  const track = (s: RawSse) => (open.push(s), s);

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: { DASHBOARD_TICK_MS: '300', HEARTBEAT_MS: '1000', SIMULATOR: 'false' },
    });
    [alice, bob] = await Promise.all([login(api, 'alice'), login(api, 'bob')]);
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(() => api?.dispose());

  it('refuses a missing credential with 401 and an unknown channel with a 400 that names it', async () => {
    const anonymous = await request(api, 'GET', '/api/stream');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ statusCode: 401 });
    const unknown = track(await openCombined(api, bob.accessToken, {}, '?channels=dashboard,orders'));
    await unknown.until((s) => s.closed || undefined, 5000, 'the answer');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body)).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('"orders"'),
    });
  });

  it('opens with retry:, the metrics snapshot and connected, and every id names each channel', async () => {
    const s = track(await openCombined(api, bob.accessToken));
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
    await s.waitForEvents('connected');
    await s.waitForEvents('metrics', 3);
    expect(s.retry).toBeGreaterThan(0);
    expectCombinedIds(s.events);
    expect(Object.keys(positions(s.events.at(-1)!.id)).sort()).toEqual(['dashboard', 'notifications']);
    // The same heartbeat as every stream.
    await s.until((x) => x.comments.includes('heartbeat') || undefined, 10_000, 'a heartbeat');
  });

  it.each([
    ['the Last-Event-ID header', (id: string) => [{ 'last-event-id': id }, undefined] as const],
    [
      '?lastEventId=',
      (id: string) =>
        [{}, `?channels=dashboard,notifications&lastEventId=${encodeURIComponent(id)}`] as const,
    ],
  ])(
    'resumes every channel exactly from its id (%s): the missed ticks and notifications, in order, none twice',
    async (_, resume) => {
      const observer = track(await openDashboard(api, alice.accessToken));
      const first = track(await openCombined(api, bob.accessToken));
      await first.waitForEvents('connected');
      const one = await notify(api, alice.accessToken, { userId: bob.user.id, title: 'one', message: '' });
      await first.until(
        (s) => ofNotifications(s.events).some((e) => e.event === 'notification') || undefined,
      );
      const lastId = first.events.at(-1)!.id!;
      first.close();

      const missed = [];
      for (const title of ['two', 'three'])
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

      const [headers, query] = resume(lastId);
      const back = track(await openCombined(api, bob.accessToken, headers, query));
      await back.until(
        (s) =>
          (ofDashboard(s.events).length >= 3 &&
            ofNotifications(s.events).filter((e) => e.event === 'notification').length >= 2) ||
          undefined,
        20_000,
        'the missed events',
      );
      const got = ofDashboard(back.events).slice(0, 3);
      expect(got.map((e) => [positions(e.id)['dashboard'], e.data])).toEqual(
        ticks.map((e) => [Number(e.id), e.data]),
      );
      const notifications = back.events
        .filter((e) => e.event === 'notification')
        .map((e) => JSON.parse(e.data));
      expect(notifications.slice(0, 2)).toEqual(missed);
      expect(notifications.map((n) => n.id)).not.toContain(one.body.id);
      expect(back.events.some((e) => e.event === 'reset')).toBe(false);
      expectCombinedIds(back.events);
    },
  );

  it('carries one channel alone with its plain id, as its own endpoint does', async () => {
    const s = track(await openCombined(api, bob.accessToken, {}, '?channels=notifications'));
    const [connected] = await s.waitForEvents('connected');
    expect(connected.id).toMatch(/^\d+$/);
    expect(s.events.some((e) => e.event === 'metrics')).toBe(false);
  });
});
