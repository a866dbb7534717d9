import { ApiProcess, login } from '@realtime/test-support';

import { STREAM_PATH, TokenEventSource, notify, openStream, parsed } from './clients';

// Event ids come from the database, so a stream resumes across a restart of the API.
describe('notification stream resume across an API restart', () => {
  let api: ApiProcess;
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    api = await ApiProcess.start({ env: { SIMULATOR: 'false' } });
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(() => api.dispose());

  it('delivers everything created while bob was away, across the restart, in order, once', async () => {
    const alice = await login(api, 'alice');
    const bob = await login(api, 'bob');
    const first = await openStream(api, bob.accessToken);
    open.push(first);
    await first.waitForEvents('connected');
    const seen = (await notify(api, alice.accessToken, { userId: bob.user.id, title: 'seen', message: '' }))
      .body;
    const [seenEvent] = await first.waitForEvents('notification');
    expect(JSON.parse(seenEvent.data)).toEqual(seen);
    first.close();

    const missed: unknown[] = [];
    const before = async (title: string, token: string) => {
      missed.push((await notify(api, token, { userId: bob.user.id, title, message: '' })).body);
      // Other users' events take ids in between: bob's ids are not consecutive.
      await notify(api, token, { userId: 'carol', title: `${title} for carol`, message: '' });
    };
    await before('before restart 1', alice.accessToken);
    await before('before restart 2', alice.accessToken);

    await api.restart();

    // The secret is the same, so the tokens still hold; a fresh login works too.
    const aliceAgain = await login(api, 'alice');
    await before('after restart 1', aliceAgain.accessToken);
    await before('after restart 2', alice.accessToken);

    const resumed = await openStream(api, bob.accessToken, { 'last-event-id': seenEvent.id! });
    open.push(resumed);
    await resumed.waitForEvents('notification', missed.length);
    const live = (await notify(api, alice.accessToken, { userId: bob.user.id, title: 'live', message: '' }))
      .body;
    await resumed.waitForEvents('notification', missed.length + 1);

    const events = parsed(resumed);
    expect(events[0]).toMatchObject({
      type: 'connected',
      id: seenEvent.id,
      data: { resumedFrom: seenEvent.id },
    });
    expect(events.slice(1).map((e) => e.data)).toEqual([...missed, live]);
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lets a real EventSource reconnect on its own after a restart and miss nothing', async () => {
    const alice = await login(api, 'alice');
    const bob = await login(api, 'bob');
    const source = new TokenEventSource(`${api.baseUrl}${STREAM_PATH}`, bob.accessToken);
    open.push(source);
    await source.until((r) => r.some((e) => e.type === 'connected'));
    const before = (
      await notify(api, alice.accessToken, { userId: bob.user.id, title: 'before', message: '' })
    ).body;
    await source.until((r) => r.some((e) => e.type === 'notification'));

    await api.restart();
    const created: unknown[] = [];
    for (const title of ['after 1', 'after 2', 'after 3']) {
      created.push((await notify(api, alice.accessToken, { userId: bob.user.id, title, message: '' })).body);
    }

    // The EventSource reconnects after the server's `retry:` with its Last-Event-ID.
    await source.until((r) => r.filter((e) => e.type === 'notification').length >= 4);
    expect(source.of('connected')).toHaveLength(2);
    expect(source.of('notification').map((e) => e.data)).toEqual([before, ...created]);
    const ids = source.received.filter((e) => e.type !== 'connected').map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
