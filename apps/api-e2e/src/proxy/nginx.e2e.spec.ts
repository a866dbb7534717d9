import { randomUUID } from 'node:crypto';
import type { ClientHttp2Session } from 'node:http2';
import { request as httpRequest } from 'node:http';

import { io, type Socket } from 'socket.io-client';

import { CHAT_NAMESPACE } from '@realtime/contracts';
import { ApiProcess, login } from '@realtime/test-support';

import { H2Sse, NginxProcess, h2Request } from './nginx';

/**
 * deploy/nginx/realtime.conf.template in Debian's nginx, in front of the built API, as a browser
 * meets it: TLS and HTTP/2, streams unbuffered, WebSocket upgrades, resume, and the client's
 * address forwarded so that it cannot be spoofed.
 */
describe('behind nginx (deploy/nginx)', () => {
  let api: ApiProcess;
  let nginx: NginxProcess;
  let session: ClientHttp2Session;
  let alice: { accessToken: string; user: { id: number } };
  let bob: { accessToken: string; user: { id: number } };
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        // No tick during the test: the only metrics event is the one a stream gets at once.
        DASHBOARD_TICK_MS: '3600000',
        HEARTBEAT_MS: '200',
        SIMULATOR: 'false',
        LOGIN_RATE_LIMIT: '5',
      },
    });
    nginx = await NginxProcess.start([api.port]);
    session = nginx.h2();
    // Two logins straight to the API (the throttle test below needs the rest of the window).
    alice = await login(api, 'alice');
    bob = await login(api, 'bob');
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));
  afterAll(async () => {
    session?.close();
    await nginx?.stop();
    await api?.dispose();
  });

  it('speaks HTTP/2 over TLS and redirects plain HTTP to HTTPS', async () => {
    const health = await h2Request(session, 'GET', '/api/health');
    expect(health.status).toBe(200);
    expect(session.alpnProtocol).toBe('h2');
    const redirect = await new Promise<{ status?: number; location?: string }>((resolve, reject) =>
      httpRequest(`http://127.0.0.1:${nginx.httpPort}/dashboard?x=1`, (res) => {
        res.resume();
        resolve({ status: res.statusCode, location: res.headers.location });
      })
        .on('error', reject)
        .end(),
    );
    expect(redirect.status).toBe(308);
    expect(redirect.location).toBe(`https://127.0.0.1:${nginx.httpsPort}/dashboard?x=1`);
  });

  it('passes the first stream event at once and the heartbeats as they come', async () => {
    const stream = await H2Sse.open(session, '/api/dashboard/stream', {
      authorization: `Bearer ${alice.accessToken}`,
    });
    open.push(stream);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/text\/event-stream/);
    expect(stream.headers['content-encoding']).toBeUndefined();
    // The tick is an hour away: a buffering proxy would hold this small event back.
    await stream.until(() => stream.events.length > 0, 'the first metrics event');
    expect(stream.events[0].event).toBe('metrics');
    expect(JSON.parse(stream.events[0].data)).toHaveProperty('activeUsers');
    await stream.until(() => stream.comments.filter((c) => c === 'heartbeat').length >= 3, 'heartbeats');
    expect(stream.events).toHaveLength(1);
  });

  it('carries a socket.io chat round trip over WebSocket', async () => {
    const socket: Socket = io(nginx.origin + CHAT_NAMESPACE, {
      transports: ['websocket'],
      auth: { token: bob.accessToken },
      ca: nginx.ca,
      reconnection: false,
    });
    open.push({ close: () => socket.close() });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    expect(socket.io.engine.transport.name).toBe('websocket');
    const joined = await socket.emitWithAck('join', { roomId: 'general' });
    expect(joined.ok).toBe(true);
    const content = `through nginx ${randomUUID()}`;
    const echoed = new Promise<{ content: string; senderName: string }>((resolve) =>
      socket.on('chat', (m: { content: string; senderName: string }) => m.content === content && resolve(m)),
    );
    const ack = await socket.emitWithAck('chat', { roomId: 'general', content, clientId: randomUUID() });
    expect(ack.ok).toBe(true);
    expect(await echoed).toMatchObject({ content, senderName: 'bob' });
  });

  it('resumes a notification stream with Last-Event-ID', async () => {
    const path = '/api/notifications/stream';
    const auth = { authorization: `Bearer ${bob.accessToken}` };
    const first = await H2Sse.open(session, path, auth);
    open.push(first);
    await first.until(() => first.events.some((e) => e.event === 'connected'), 'connected');
    const lastId = first.events[0].id!;
    first.close();

    const titles = ['missed 1', 'missed 2'];
    for (const title of titles) {
      const res = await h2Request(session, 'POST', '/api/notifications', {
        token: alice.accessToken,
        body: { userId: bob.user.id, title, message: 'while away' },
      });
      expect(res.status).toBe(201);
    }
    const resumed = await H2Sse.open(session, path, { ...auth, 'last-event-id': lastId });
    open.push(resumed);
    const notifications = () => resumed.events.filter((e) => e.event === 'notification');
    await resumed.until(() => notifications().length >= 2, 'the missed notifications');
    expect(notifications().map((e) => JSON.parse(e.data).title)).toEqual(titles);
  });

  it('forwards the real client address: a forged X-Forwarded-For does not dodge the login throttle', async () => {
    // LOGIN_RATE_LIMIT=5 per address and minute; 2 logins are spent. Even if a minute boundary
    // falls in between, 12 more put at least 7 in one window, so some must be refused.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await h2Request(session, 'POST', '/api/auth/login', {
        body: { username: 'carol', password: 'demo-password' },
        headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses).toContain(429);
  });
});
