import { once } from 'node:events';
import { connect } from 'node:net';

import { io, type Socket } from 'socket.io-client';

import { CHAT_NAMESPACE, NOTIFICATION_STREAMS_PER_USER, type LoginResponse } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

import { scrape } from '../metrics/prometheus';
import { until } from './support';

const SCRAPE_TOKEN = 'e2e-scrape-token-0123456789';

const BIG = 'x'.repeat(2000);

describe('a slow consumer', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        NOTIFY_RATE_PER_S: '100000',
        NOTIFY_RATE_BURST: '100000',
        METRICS_TOKEN: SCRAPE_TOKEN,
      },
    });
    [alice, bob] = await Promise.all([login(api, 'alice'), login(api, 'bob')]);
  });
  afterAll(() => api?.dispose());

  it('that stops reading is dropped past the 1 MiB bound while the others keep receiving, and resumes after', async () => {
    // The slow one: a raw TCP connection that sends its request and then never reads.
    const slow = connect(api.port, '127.0.0.1');
    await once(slow, 'connect');
    slow.pause();
    slow.write(
      `GET /api/notifications/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n` +
        `Authorization: Bearer ${bob.accessToken}\r\n\r\n`,
    );
    const fast = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, {
      authorization: `Bearer ${bob.accessToken}`,
    });
    await fast.waitForEvents('connected');
    const openStreams = async () =>
      (await request(api, 'GET', '/api/dashboard/connections', { token: alice.accessToken })).body.connections
        .notifications as number;
    await until(async () => (await openStreams()) === 2, 'both streams to be open');

    // Publish ~2.4 kB notifications until the server gives up on the slow reader (the socket
    // buffers, a few MB on loopback, fill first; then 1 MiB may wait in the process).
    const published: number[] = [];
    let dropped = false;
    for (let batch = 0; !dropped; batch++) {
      if (batch >= 400) throw new Error(`the slow reader was never dropped after ${published.length} events`);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request(api, 'POST', '/api/notifications', {
            token: alice.accessToken,
            body: { userId: bob.user.id, title: `n${batch}-${i}`, message: BIG },
          }),
        ),
      );
      for (const r of results) {
        expect(r.status).toBe(201);
        published.push(r.body.id);
      }
      // The fast reader is never held back by the slow one: it has everything so far.
      await fast.until(
        (s) => s.events.filter((e) => e.event === 'notification').length >= published.length,
        20_000,
        `${published.length} notifications at the fast reader`,
      );
      dropped = (await openStreams()) === 1;
    }
    expect(fast.closed).toBe(false);
    // The operators see it: one slow reader dropped, on the notification stream.
    expect(
      (await scrape(api, SCRAPE_TOKEN)).value('rt_slow_readers_dropped_total', { kind: 'notifications' }),
    ).toBe(1);
    const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
    const got = fast.events.filter((e) => e.event === 'notification').map((e) => JSON.parse(e.data).id);
    // Concurrent publishes: the stream's order is the event log's, not the order of the answers.
    expect(sorted(got)).toEqual(sorted(published));

    // The slow reader now reads what the kernel kept for it: a cut-off stream, then the end.
    let text = '';
    slow.setEncoding('utf8');
    slow.on('data', (chunk: string) => (text += chunk));
    slow.on('error', () => undefined);
    slow.resume();
    await Promise.race([once(slow, 'close'), once(slow, 'end')]);
    // Complete events only: the last one may have been cut off by the drop.
    const blocks = text.split('\n\n').slice(0, -1);
    const complete = blocks.filter((b) => /^event: notification$/m.test(b) && /^data: /m.test(b));
    const slowIds = complete.map((b) => JSON.parse(/^data: (.*)$/m.exec(b)![1]).id as number);
    const lastId = [...blocks.join('\n').matchAll(/^id: (\d+)$/gm)].at(-1)![1];
    expect(slowIds.length).toBeLessThan(published.length);

    // It reconnects with the last id it got and misses nothing, and gets nothing twice.
    const resumed = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, {
      authorization: `Bearer ${bob.accessToken}`,
      'last-event-id': lastId,
    });
    const rest = await resumed.until(
      (s) => {
        const items = s.events.filter((e) => e.event === 'notification');
        return items.length >= published.length - slowIds.length ? items : undefined;
      },
      30_000,
      'the resumed stream to catch up',
    );
    resumed.close();
    fast.close();
    expect(sorted([...slowIds, ...rest.map((e) => JSON.parse(e.data).id)])).toEqual(sorted(published));
    const received = slowIds.length;
    process.stdout.write(
      `slow consumer: dropped after ${published.length} events (~${Math.round((published.length * 2.4) / 1024)} MB sent), it had read ${received}\n`,
    );
  }, 120_000);
});

describe('abuse limits', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        SIMULATOR: 'false',
        LOGIN_RATE_LIMIT: '8',
        NOTIFY_RATE_PER_S: '1',
        NOTIFY_RATE_BURST: '5',
        CHAT_RATE_PER_S: '1',
        CHAT_RATE_BURST: '3',
        MAX_CONNECTIONS_PER_USER: '3',
      },
    });
    [alice, bob] = await Promise.all([login(api, 'alice'), login(api, 'bob')]);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await api?.dispose();
  });

  const socket = (token: string) => {
    const s = io(api.baseUrl + CHAT_NAMESPACE, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(s);
    return new Promise<{ socket: Socket; error?: Error & { data?: unknown } }>((resolve) => {
      s.once('connect', () => resolve({ socket: s }));
      s.once('connect_error', (error) => resolve({ socket: s, error }));
    });
  };

  it('logins: brute force from one IP gets 429 after LOGIN_RATE_LIMIT attempts, even with the right password', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push(
        (
          await request(api, 'POST', '/api/auth/login', {
            body: { username: 'carol', password: `guess-${i}` },
          })
        ).status,
      );
    }
    const blocked = await request(api, 'POST', '/api/auth/login', {
      body: { username: 'carol', password: 'demo-password' },
    });
    // Two logins of the setup count too: at most 8 per minute in all.
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(6);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ statusCode: 429, message: expect.any(String) });
  });

  it('publishes: a user past NOTIFY_RATE_BURST gets 429 with Retry-After; another user is not affected', async () => {
    const publish = (token: string) =>
      request(api, 'POST', '/api/notifications', {
        token,
        body: { userId: 'carol', title: 't', message: 'm' },
      });
    // Ten at once, as an abuser would: the burst of 5 goes through, the rest waits for the refill
    // (1 a second), so at least one is refused however slowly the machine answers.
    const answers = await Promise.all(Array.from({ length: 10 }, () => publish(alice.accessToken)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((s) => s === 201 || s === 429)).toBe(true);
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited).toBeDefined();
    expect(limited.body).toMatchObject({ statusCode: 429, message: expect.stringMatching(/slow down/) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await publish(bob.accessToken)).status).toBe(201);
  });

  it('chat: past CHAT_RATE_BURST messages a RATE_LIMITED error with retryAfterMs', async () => {
    const { socket: s } = await socket(bob.accessToken);
    await s.timeout(5000).emitWithAck('join', { roomId: 'limits' });
    // Sent at once: the burst of 3 is stored, the rest waits for the refill (1 a second).
    const acks = await Promise.all(
      [0, 1, 2, 3, 4, 5, 6].map((i) =>
        s.timeout(5000).emitWithAck('chat', { roomId: 'limits', content: `m${i}`, clientId: `l${i}` }),
      ),
    );
    expect(acks.slice(0, 3).every((a) => a.ok)).toBe(true);
    expect(acks.at(-1)).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) },
    });
    s.close();
  });

  it('connections: dashboard streams and chat sockets capped at MAX_CONNECTIONS_PER_USER, notification streams at 20', async () => {
    const auth = { authorization: `Bearer ${alice.accessToken}` };
    const dash = await Promise.all(
      [0, 1, 2].map(() => RawSse.open(`${api.baseUrl}/api/dashboard/stream`, auth)),
    );
    await Promise.all(dash.map((d) => d.waitForEvents('metrics')));
    const fourth = await RawSse.open(`${api.baseUrl}/api/dashboard/stream`, auth);
    await fourth.until((s) => s.closed, 10_000, 'the refusal');
    expect(fourth.status).toBe(429);
    expect(JSON.parse(fourth.body)).toMatchObject({
      statusCode: 429,
      message: expect.stringMatching(/at most 3/),
    });
    // Another user is not affected, and a closed stream frees its place.
    const bobs = await RawSse.open(`${api.baseUrl}/api/dashboard/stream`, {
      authorization: `Bearer ${bob.accessToken}`,
    });
    await bobs.waitForEvents('metrics');
    dash[0].close();
    const again = await until(async () => {
      const d = await RawSse.open(`${api.baseUrl}/api/dashboard/stream`, auth);
      if (d.status === 200) return d;
      d.close();
      return undefined;
    }, 'a place to free up');
    [...dash, again, bobs].forEach((d) => d.close());

    const open = await Promise.all([0, 1, 2].map(() => socket(alice.accessToken)));
    expect(open.map((o) => o.error)).toEqual([undefined, undefined, undefined]);
    const refused = await socket(alice.accessToken);
    expect(refused.error?.message).toMatch(/Too many open chat connections.*at most 3/);
    expect(refused.error?.data).toEqual({ code: 'TOO_MANY_CONNECTIONS' });
    expect((await socket(bob.accessToken)).error).toBeUndefined();
    open[0].socket.close();
    await until(async () => {
      const o = await socket(alice.accessToken);
      return !o.error;
    }, 'a socket place to free up');

    const streams = await Promise.all(
      Array.from({ length: NOTIFICATION_STREAMS_PER_USER }, () =>
        RawSse.open(`${api.baseUrl}/api/notifications/stream`, auth),
      ),
    );
    await Promise.all(streams.map((s) => s.waitForEvents('connected')));
    const over = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, auth);
    await over.until((s) => s.closed, 10_000, 'the refusal');
    expect(over.status).toBe(429);
    expect(JSON.parse(over.body)).toMatchObject({ statusCode: 429 });
    streams.forEach((s) => s.close());
  });
});
