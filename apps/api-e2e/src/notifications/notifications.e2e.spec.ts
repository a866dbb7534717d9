import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

import { type Received, STREAM_PATH, TokenEventSource, notify, openStream, parsed } from './clients';

describe('notifications', () => {
  let api: ApiProcess;
  let alice: { token: string; id: number };
  let bob: { token: string; id: number };
  let carol: { token: string; id: number };
  const open: Array<{ close(): void }> = [];

  const track = <T extends { close(): void }>(client: T): T => {
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    api = await ApiProcess.start({ env: { HEARTBEAT_MS: '200', SIMULATOR: 'false' } });
    const as = async (name: string) => {
      const res = await login(api, name);
      return { token: res.accessToken, id: res.user.id };
    };
    [alice, bob, carol] = [await as('alice'), await as('bob'), await as('carol')];
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => api.dispose());

  describe('REST', () => {
    it('creates a notification for a user id or a username and lists it newest first', async () => {
      const first = await notify(api, alice.token, { userId: carol.id, title: 'Disk', message: 'at 91%' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        id: expect.any(Number),
        userId: carol.id,
        type: 'info',
        title: 'Disk',
        message: 'at 91%',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        readAt: null,
        sender: { id: alice.id, username: 'alice' },
      });
      const second = await notify(api, bob.token, {
        userId: 'carol',
        title: 'Deploy',
        message: 'done',
        type: 'success',
      });
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({ userId: carol.id, type: 'success' });

      const list = await request(api, 'GET', '/api/notifications', { token: carol.token });
      expect(list.status).toBe(200);
      expect(Array.isArray(list.body)).toBe(true);
      expect(list.body.slice(0, 2)).toEqual([second.body, first.body]);
      expect(Number(list.headers.get('x-unread-count'))).toBeGreaterThanOrEqual(2);
    });

    it('pages with cursor and limit, in the array form and the envelope form', async () => {
      const created: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await notify(api, alice.token, { userId: carol.id, title: `page ${i}`, message: '' });
        created.push(res.body.id);
      }
      const newestFirst = [...created].reverse();

      const one = await request(api, 'GET', '/api/notifications?limit=2', { token: carol.token });
      expect(one.body.map((n: any) => n.id)).toEqual(newestFirst.slice(0, 2));
      const cursor = one.headers.get('x-next-cursor');
      expect(cursor).toBe(String(newestFirst[1]));
      expect(one.headers.get('link')).toBe(`</api/notifications?cursor=${cursor}&limit=2>; rel="next"`);

      const two = await request(api, 'GET', `/api/notifications?limit=2&cursor=${cursor}`, {
        token: carol.token,
      });
      expect(two.body.map((n: any) => n.id)).toEqual(newestFirst.slice(2, 4));

      const page = await request(api, 'GET', `/api/notifications/page?limit=2&cursor=${cursor}`, {
        token: carol.token,
      });
      expect(page.status).toBe(200);
      expect(page.body).toEqual({
        items: two.body,
        unreadCount: Number(two.headers.get('x-unread-count')),
        nextCursor: String(newestFirst[3]),
      });

      // Walk to the end: the last page has no cursor.
      let next: string | null = String(newestFirst[3]);
      let pages = 0;
      while (next) {
        const res: { body: { nextCursor: string | null } } = await request(
          api,
          'GET',
          `/api/notifications/page?limit=2&cursor=${next}`,
          {
            token: carol.token,
          },
        );
        next = res.body.nextCursor;
        pages++;
        expect(pages).toBeLessThan(20);
      }
      const all = await request(api, 'GET', '/api/notifications?limit=100', { token: carol.token });
      expect(all.headers.get('x-next-cursor')).toBeNull();
      const ids = all.body.map((n: any) => n.id);
      expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
    });

    it('marks one read (idempotently), then all read, and counts unread', async () => {
      const a = (await notify(api, alice.token, { userId: bob.id, title: 'a', message: 'a' })).body;
      const b = (await notify(api, alice.token, { userId: bob.id, title: 'b', message: 'b' })).body;

      const read = await request(api, 'PUT', `/api/notifications/${a.id}/read`, { token: bob.token });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: a.id, readAt: expect.any(String) });
      const again = await request(api, 'PUT', `/api/notifications/${a.id}/read`, { token: bob.token });
      expect(again.status).toBe(200);
      expect(again.body.readAt).toBe(read.body.readAt);

      const all = await request(api, 'PUT', '/api/notifications/read-all', { token: bob.token });
      expect(all.status).toBe(200);
      expect(all.body.ids).toContain(b.id);
      expect(all.body.ids).not.toContain(a.id);
      expect(typeof all.body.readAt).toBe('string');

      const list = await request(api, 'GET', '/api/notifications', { token: bob.token });
      expect(list.headers.get('x-unread-count')).toBe('0');
      expect(list.body.every((n: any) => n.readAt !== null)).toBe(true);

      const none = await request(api, 'PUT', '/api/notifications/read-all', { token: bob.token });
      expect(none.status).toBe(200);
      expect(none.body.ids).toEqual([]);
    });

    it('deletes with 204, and a second delete is a 404', async () => {
      const n = (await notify(api, alice.token, { userId: bob.id, title: 'bye', message: '' })).body;
      const del = await request(api, 'DELETE', `/api/notifications/${n.id}`, { token: bob.token });
      expect(del.status).toBe(204);
      expect(del.body).toBeUndefined();
      const list = await request(api, 'GET', '/api/notifications?limit=100', { token: bob.token });
      expect(list.body.map((x: any) => x.id)).not.toContain(n.id);
      const again = await request(api, 'DELETE', `/api/notifications/${n.id}`, { token: bob.token });
      expect(again.status).toBe(404);
      expect(again.body).toEqual({
        statusCode: 404,
        message: `Notification ${n.id} not found`,
        error: 'Not Found',
      });
    });

    it("answers 404 for another user's notification and leaves it untouched", async () => {
      const n = (await notify(api, alice.token, { userId: bob.id, title: 'private', message: 'x' })).body;
      for (const [method, path] of [
        ['PUT', `/api/notifications/${n.id}/read`],
        ['DELETE', `/api/notifications/${n.id}`],
      ]) {
        const res = await request(api, method, path, { token: alice.token });
        expect(res.status).toBe(404);
        expect(res.body.message).toBe(`Notification ${n.id} not found`);
      }
      const aliceList = await request(api, 'GET', '/api/notifications?limit=100', { token: alice.token });
      expect(aliceList.body.map((x: any) => x.id)).not.toContain(n.id);
      const bobList = await request(api, 'GET', '/api/notifications?limit=100', { token: bob.token });
      expect(bobList.body.find((x: any) => x.id === n.id)).toEqual(n);
    });

    it.each([
      ['PUT', '/api/notifications/999999999/read', 404, /not found/],
      ['DELETE', '/api/notifications/999999999', 404, /not found/],
      ['PUT', '/api/notifications/abc/read', 400, /id: must be a positive whole number/],
      ['DELETE', '/api/notifications/1.5', 400, /id/],
      ['DELETE', '/api/notifications/-1', 400, /id/],
      ['PUT', '/api/notifications/99999999999999999999/read', 400, /id/],
      ['GET', '/api/notifications?limit=abc', 400, /limit: must be a whole number/],
      ['GET', '/api/notifications?limit=0', 400, /limit: must be at least 1/],
      ['GET', '/api/notifications?limit=101', 400, /limit: must be at most 100/],
      ['GET', '/api/notifications?cursor=xyz', 400, /cursor/],
      ['GET', '/api/notifications/page?limit=1&limit=2', 400, /limit/],
    ])('%s %s → %i with a JSON message', async (method, path, status, message) => {
      const res = await request(api, method, path, { token: alice.token });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ statusCode: status });
      expect(res.body.message).toMatch(message);
    });

    it.each([
      ['a missing title and message', 400, { userId: 2 }, /title.*message/],
      ['a missing userId', 400, { title: 't', message: 'm' }, /userId/],
      ['a wrong-typed title', 400, { userId: 2, title: 5, message: 'm' }, /title/],
      ['a wrong-typed userId', 400, { userId: true, title: 't', message: 'm' }, /userId/],
      ['a blank title', 400, { userId: 2, title: '   ', message: 'm' }, /title/],
      ['a 201-character title', 400, { userId: 2, title: 'x'.repeat(201), message: 'm' }, /title/],
      ['a 2001-character message', 400, { userId: 2, title: 't', message: 'x'.repeat(2001) }, /message/],
      ['an unknown type', 400, { userId: 2, title: 't', message: 'm', type: 'urgent' }, /type/],
      ['an unknown field', 400, { userId: 2, title: 't', message: 'm', html: '<b>' }, /html/],
      ['an array body', 400, [{ userId: 2, title: 't', message: 'm' }], /JSON object/],
      ['an unknown username', 404, { userId: 'mallory', title: 't', message: 'm' }, /^userId: no such user$/],
      // The same answer for an id: it does not tell which usernames exist.
      ['an unknown user id', 404, { userId: 999999, title: 't', message: 'm' }, /^userId: no such user$/],
    ])('POST with %s → %i naming the problem', async (_, status, body, message) => {
      const res = await notify(api, alice.token, body as any);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ statusCode: status });
      expect(res.body.message).toMatch(message);
    });

    it('accepts the longest title and message, and refuses malformed JSON', async () => {
      const ok = await notify(api, alice.token, {
        userId: carol.id,
        title: 'x'.repeat(200),
        message: 'y'.repeat(2000),
      });
      expect(ok.status).toBe(201);
      const bad = await request(api, 'POST', '/api/notifications', {
        token: alice.token,
        rawBody: '{"userId":',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/JSON/);
    });

    it('needs a token for every endpoint', async () => {
      for (const [method, path] of [
        ['GET', '/api/notifications'],
        ['GET', '/api/notifications/page'],
        ['POST', '/api/notifications'],
        ['PUT', '/api/notifications/1/read'],
        ['PUT', '/api/notifications/read-all'],
        ['DELETE', '/api/notifications/1'],
      ]) {
        const res = await request(api, method, path);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401 });
      }
    });
  });

  describe('stream', () => {
    it('starts with retry and a connected event, then heartbeats', async () => {
      const sse = track(await openStream(api, carol.token));
      expect(sse.status).toBe(200);
      expect(sse.headers['content-type']).toMatch(/text\/event-stream/);
      expect(sse.headers['cache-control']).toMatch(/no-cache/);
      const [connected] = await sse.waitForEvents('connected');
      expect(connected.retry).toBeGreaterThan(0);
      expect(connected.id).toMatch(/^\d+$/);
      const unread = await request(api, 'GET', '/api/notifications', { token: carol.token });
      expect(JSON.parse(connected.data)).toEqual({
        userId: carol.id,
        unreadCount: Number(unread.headers.get('x-unread-count')),
        resumedFrom: null,
      });
      expect(sse.events[0].event).toBe('connected');
      await sse.until(
        (s) => s.comments.filter((c) => c === 'heartbeat').length >= 2,
        10_000,
        'two heartbeats',
      );
    });

    it.each([
      ['no credential', {}],
      ['a garbage token', { authorization: 'Bearer not-a-jwt' }],
      ['a garbage cookie', { cookie: 'rt_stream=not-a-jwt' }],
    ])('answers %s with a 401 JSON, not a stream', async (_, headers) => {
      const sse = track(await RawSse.open(`${api.baseUrl}${STREAM_PATH}`, headers));
      await sse.until((s) => s.closed, 10_000, 'the 401 to end');
      expect(sse.status).toBe(401);
      expect(sse.headers['content-type']).toMatch(/application\/json/);
      expect(JSON.parse(sse.body)).toMatchObject({ statusCode: 401 });
    });

    it('accepts the HttpOnly login cookie, so a browser EventSource needs no token in its URL', async () => {
      const res = await request(api, 'POST', '/api/auth/login', {
        body: { username: 'carol', password: 'demo-password' },
      });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
      const sse = track(await RawSse.open(`${api.baseUrl}${STREAM_PATH}`, { cookie }));
      expect(sse.status).toBe(200);
      const [connected] = await sse.waitForEvents('connected');
      expect(JSON.parse(connected.data).userId).toBe(carol.id);
    });

    it('delivers a user only their own notifications', async () => {
      const aliceSse = track(await openStream(api, alice.token));
      const bobSse = track(await openStream(api, bob.token));
      await aliceSse.waitForEvents('connected');
      await bobSse.waitForEvents('connected');

      const forBob = (await notify(api, alice.token, { userId: bob.id, title: 'for bob', message: '' })).body;
      const forAlice = (await notify(api, bob.token, { userId: alice.id, title: 'for alice', message: '' }))
        .body;
      // carol, a viewer, may not notify anyone (roles): alice sends the second one.
      const forBob2 = (await notify(api, alice.token, { userId: 'bob', title: 'for bob 2', message: '' }))
        .body;

      await aliceSse.waitForEvents('notification', 1);
      await bobSse.waitForEvents('notification', 2);
      expect(parsed(aliceSse, 'notification').map((e) => e.data)).toEqual([forAlice]);
      expect(parsed(bobSse, 'notification').map((e) => e.data)).toEqual([forBob, forBob2]);
      // Alice's notification was created after bob's first one, so had his leaked to her
      // stream it would have arrived before hers.
    });

    it("keeps a user's other open streams in sync: created, read, read-all, deleted", async () => {
      await request(api, 'PUT', '/api/notifications/read-all', { token: bob.token });
      const tab1 = track(await openStream(api, bob.token));
      const tab2 = track(new TokenEventSource(`${api.baseUrl}${STREAM_PATH}`, bob.token));
      await tab1.waitForEvents('connected');
      await tab2.until((r) => r.some((e) => e.type === 'connected'));

      const n1 = (await notify(api, alice.token, { userId: bob.id, title: 'one', message: '' })).body;
      const n2 = (await notify(api, alice.token, { userId: bob.id, title: 'two', message: '' })).body;
      await request(api, 'PUT', `/api/notifications/${n1.id}/read`, { token: bob.token });
      await request(api, 'PUT', '/api/notifications/read-all', { token: bob.token });
      await request(api, 'DELETE', `/api/notifications/${n1.id}`, { token: bob.token });

      await tab1.waitForEvents('notification-deleted');
      await tab2.until((r) => r.some((e) => e.type === 'notification-deleted'));
      const expected = [
        { type: 'notification', data: n1 },
        { type: 'notification', data: n2 },
        { type: 'notification-read', data: { ids: [n1.id], readAt: expect.any(String) } },
        { type: 'notification-read', data: { ids: [n2.id], readAt: expect.any(String) } },
        { type: 'notification-deleted', data: { id: n1.id } },
      ];
      const strip = (events: Received[]) =>
        events.filter((e) => e.type !== 'connected').map(({ type, data }) => ({ type, data }));
      expect(strip(parsed(tab1))).toEqual(expected);
      expect(strip(tab2.received)).toEqual(expected);
      // Same ids on both tabs, increasing within each stream.
      const ids = parsed(tab1).map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      expect(tab2.received.map((e) => e.id)).toEqual(parsed(tab1).map((e) => e.id));
    });

    it('resumes after Last-Event-ID with every missed event, in order, once, then goes live', async () => {
      const first = track(await openStream(api, bob.token));
      const [connected] = await first.waitForEvents('connected');
      first.close();

      const missed = [];
      for (const title of ['m1', 'm2', 'm3']) {
        missed.push((await notify(api, alice.token, { userId: bob.id, title, message: '' })).body);
        await notify(api, alice.token, { userId: carol.id, title: `${title} for carol`, message: '' });
      }
      await request(api, 'PUT', `/api/notifications/${missed[0].id}/read`, { token: bob.token });

      const resumed = track(await openStream(api, bob.token, { 'last-event-id': connected.id! }));
      await resumed.waitForEvents('notification-read');
      const live = (await notify(api, alice.token, { userId: bob.id, title: 'live', message: '' })).body;
      await resumed.waitForEvents('notification', 4);

      const events = parsed(resumed);
      expect(events[0]).toEqual({
        type: 'connected',
        id: connected.id,
        data: { userId: bob.id, unreadCount: expect.any(Number), resumedFrom: connected.id },
      });
      expect(events.slice(1).map((e) => [e.type, e.data.title ?? e.data.ids])).toEqual([
        ['notification', 'm1'],
        ['notification', 'm2'],
        ['notification', 'm3'],
        ['notification-read', [missed[0].id]],
        ['notification', 'live'],
      ]);
      expect(events.at(-1)!.data).toEqual(live);
      const ids = events.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('accepts ?lastEventId= for clients that reconnect by hand; the header wins over it', async () => {
      const start = track(await openStream(api, bob.token));
      const [connected] = await start.waitForEvents('connected');
      start.close();
      const a = (await notify(api, alice.token, { userId: bob.id, title: 'q1', message: '' })).body;
      const b = (await notify(api, alice.token, { userId: bob.id, title: 'q2', message: '' })).body;

      const byQuery = track(await openStream(api, bob.token, {}, `?lastEventId=${connected.id}`));
      const got = await byQuery.waitForEvents('notification', 2);
      expect(got.map((e) => JSON.parse(e.data))).toEqual([a, b]);

      const aId = got[0].id!;
      const both = track(
        await openStream(api, bob.token, { 'last-event-id': aId }, `?lastEventId=${connected.id}`),
      );
      const [connected2] = await both.waitForEvents('connected');
      expect(JSON.parse(connected2.data).resumedFrom).toBe(aId);
      const [only] = await both.waitForEvents('notification', 1);
      expect(JSON.parse(only.data)).toEqual(b);
    });

    it.each([
      ['garbage', 'not-an-id'],
      ['a negative number', '-5'],
      ['an id beyond the latest event', '999999999999'],
      ['an empty value', ''],
    ])('treats %s as Last-Event-ID as a fresh start, not an error', async (_, value) => {
      const reference = track(await openStream(api, bob.token));
      const [fresh] = await reference.waitForEvents('connected');
      const sse = track(await openStream(api, bob.token, { 'last-event-id': value }));
      expect(sse.status).toBe(200);
      const [connected] = await sse.waitForEvents('connected');
      expect(connected.id).toBe(fresh.id);
      expect(JSON.parse(connected.data)).toMatchObject({ userId: bob.id, resumedFrom: null });
      const n = (await notify(api, alice.token, { userId: bob.id, title: 'after garbage', message: '' }))
        .body;
      const [event] = await sse.waitForEvents('notification');
      expect(JSON.parse(event.data)).toEqual(n);
      expect(sse.events.filter((e) => e.event === 'notification')).toHaveLength(1);
    });

    it('refuses the stream past the per-user limit with a 429 JSON, and frees a slot on close', async () => {
      const streams: RawSse[] = [];
      for (let i = 0; i < 20; i++) {
        const sse = track(await openStream(api, carol.token));
        await sse.waitForEvents('connected');
        streams.push(sse);
      }
      const refused = await openStream(api, carol.token);
      await refused.until((s) => s.closed, 10_000, 'the 429 to end');
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(/application\/json/);
      expect(JSON.parse(refused.body)).toMatchObject({
        statusCode: 429,
        message: expect.stringMatching(/Too many open notification streams.*at most 20/),
      });
      // Other users are not affected.
      const other = track(await openStream(api, alice.token));
      expect(other.status).toBe(200);

      streams[0].close();
      // The server notices the close asynchronously: try again until the slot is free.
      let again: RawSse | undefined;
      for (let attempt = 0; attempt < 100 && again?.status !== 200; attempt++) {
        again?.close();
        again = track(await openStream(api, carol.token));
        if (again.status !== 200) await again.until((s) => s.closed, 10_000, 'the 429 to end');
      }
      expect(again!.status).toBe(200);
      await again!.waitForEvents('connected');
    });
  });
});
