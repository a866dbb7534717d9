import { io, type Socket } from 'socket.io-client';

import { CHAT_NAMESPACE, type Role } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

type Who = 'admin' | 'operator' | 'viewer';
const RANK: Record<Role, number> = { admin: 0, operator: 1, viewer: 2 };

interface Caller {
  role: Who;
  id: number;
  token: string;
  /** A notification of this caller's own, for the routes that act on one. */
  ownNotification: number;
  /** A second session of the caller, for the routes that sign sessions out. */
  spare: { token: string; sessionId: string };
}

/** Made by the admin once: a user and an API key that admin routes act on. */
const fixtures = { userId: 0, keyId: 0 };

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: (c: Caller) => string;
  body?: (c: Caller) => unknown;
  /** The least role that may call it. */
  least: Role;
  /** What an allowed caller gets. */
  ok: number;
  stream?: boolean;
  /** Called with the caller's spare session (it signs sessions out). */
  spare?: boolean;
  /** Needs the caller's spare session to exist. */
  needsSpare?: boolean;
  /** The OpenAPI path, where it has parameters. */
  doc?: string;
}

const USERNAMES: Record<Who, string> = { admin: 'alice', operator: 'bob', viewer: 'carol' };

/** Routes open without a token. */
const PUBLIC_ROUTES = [
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/auth/refresh',
  'GET /api/health',
];
let serial = 0;

/**
 * Every route of the API, with the least role that may call it (README, "Roles"). A route
 * added without a row here fails the completeness check below.
 */
const ROUTES: Route[] = [
  { method: 'GET', path: () => '/api/auth/me', least: 'viewer', ok: 200 },
  { method: 'GET', path: () => '/api/auth/sessions', least: 'viewer', ok: 200 },
  {
    method: 'DELETE',
    path: (c) => `/api/auth/sessions/${c.spare.sessionId}`,
    doc: '/api/auth/sessions/{id}',
    needsSpare: true,
    least: 'viewer',
    ok: 204,
  },
  { method: 'POST', path: () => '/api/auth/logout-all', least: 'viewer', ok: 200, spare: true },
  {
    method: 'PUT',
    path: () => '/api/auth/password',
    // The same password again: allowed (it passes the rule), and the demo logins keep working.
    body: () => ({ currentPassword: 'demo-password', newPassword: 'demo-password' }),
    least: 'viewer',
    ok: 204,
  },
  { method: 'GET', path: () => '/api/users', least: 'admin', ok: 200 },
  {
    method: 'POST',
    path: () => '/api/users',
    body: () => ({ username: `made-${++serial}`, password: 'a-good-password', role: 'viewer' }),
    least: 'admin',
    ok: 201,
  },
  {
    method: 'PATCH',
    path: () => `/api/users/${fixtures.userId}`,
    doc: '/api/users/{id}',
    body: () => ({ role: 'operator' }),
    least: 'admin',
    ok: 200,
  },
  { method: 'GET', path: () => '/api/api-keys', least: 'admin', ok: 200 },
  {
    method: 'POST',
    path: () => '/api/api-keys',
    body: () => ({ name: 'table', scopes: ['orders:write'] }),
    least: 'admin',
    ok: 201,
  },
  {
    method: 'DELETE',
    path: () => `/api/api-keys/${fixtures.keyId}`,
    doc: '/api/api-keys/{id}',
    least: 'admin',
    ok: 200,
  },
  { method: 'GET', path: () => '/api/dashboard/snapshot', least: 'viewer', ok: 200 },
  { method: 'GET', path: () => '/api/dashboard/history', least: 'viewer', ok: 200 },
  { method: 'GET', path: () => '/api/dashboard/connections', least: 'viewer', ok: 200 },
  { method: 'GET', path: () => '/api/dashboard/stream', least: 'viewer', ok: 200, stream: true },
  { method: 'POST', path: () => '/api/dashboard/refresh', least: 'operator', ok: 200 },
  { method: 'GET', path: () => '/api/orders', least: 'viewer', ok: 200 },
  {
    method: 'POST',
    path: () => '/api/orders',
    body: () => ({ amount: 1, currency: 'USD' }),
    least: 'operator',
    ok: 201,
  },
  { method: 'GET', path: () => '/api/notifications', least: 'viewer', ok: 200 },
  { method: 'GET', path: () => '/api/notifications/page', least: 'viewer', ok: 200 },
  { method: 'GET', path: () => '/api/notifications/stream', least: 'viewer', ok: 200, stream: true },
  { method: 'GET', path: () => '/api/stream', least: 'viewer', ok: 200, stream: true },
  {
    method: 'POST',
    path: () => '/api/notifications',
    body: (c) => ({ userId: c.id, title: 'to myself', message: '' }),
    least: 'operator',
    ok: 201,
  },
  {
    method: 'POST',
    path: () => '/api/notifications/broadcast',
    body: () => ({ title: 'everyone', message: '' }),
    least: 'admin',
    ok: 201,
  },
  { method: 'PUT', path: () => '/api/notifications/read-all', least: 'viewer', ok: 200 },
  {
    method: 'PUT',
    path: (c) => `/api/notifications/${c.ownNotification}/read`,
    doc: '/api/notifications/{id}/read',
    least: 'viewer',
    ok: 200,
  },
  {
    method: 'DELETE',
    path: (c) => `/api/notifications/${c.ownNotification}`,
    doc: '/api/notifications/{id}',
    least: 'viewer',
    ok: 204,
  },
  { method: 'GET', path: () => '/api/chat/rooms', least: 'viewer', ok: 200 },
  { method: 'GET', path: () => '/api/ops/instances', least: 'admin', ok: 200 },
  {
    method: 'POST',
    path: () => '/api/annotations',
    body: () => ({ text: 'deploy' }),
    least: 'operator',
    ok: 201,
  },
  { method: 'GET', path: () => '/api/alerts/rules', least: 'viewer', ok: 200 },
  { method: 'GET', path: () => '/api/alerts/history', least: 'viewer', ok: 200 },
  {
    method: 'POST',
    path: () => '/api/alerts/rules',
    body: () => ({
      name: `rule ${++serial}`,
      metric: 'activeUsers',
      condition: 'above',
      threshold: 1e9,
      recipients: { roles: ['admin'] },
    }),
    least: 'operator',
    ok: 201,
  },
  {
    method: 'PATCH',
    // An id that does not exist: past the role check, the answer is a 404.
    path: () => '/api/alerts/rules/999999',
    doc: '/api/alerts/rules/{id}',
    body: () => ({ enabled: false }),
    least: 'operator',
    ok: 404,
  },
  {
    method: 'DELETE',
    // An id that does not exist: past the role check, the answer is a 404.
    path: () => '/api/alerts/rules/999999',
    doc: '/api/alerts/rules/{id}',
    least: 'operator',
    ok: 404,
  },
  // Also open to the scrape token (METRICS_TOKEN) and, later, an API key with metrics:read.
  { method: 'GET', path: () => '/api/metrics', least: 'admin', ok: 200 },
  // History is for members: every caller joined #general first (below).
  {
    method: 'GET',
    path: () => '/api/chat/rooms/general/messages',
    doc: '/api/chat/rooms/{roomId}/messages',
    least: 'viewer',
    ok: 200,
  },
  // Viewers chat: every role creates rooms, invites to its rooms, reads and manages its own.
  { method: 'GET', path: () => '/api/chat/unread', least: 'viewer', ok: 200 },
  {
    method: 'POST',
    path: () => '/api/chat/rooms',
    body: (c) => ({ name: `made by ${c.role} ${Math.random()}`, kind: 'private' }),
    least: 'viewer',
    ok: 201,
  },
  {
    method: 'POST',
    path: (c) => `/api/chat/rooms/own-${c.role}/members`,
    doc: '/api/chat/rooms/{roomId}/members',
    body: (c) => ({ username: USERNAMES[c.role] }),
    least: 'viewer',
    ok: 201,
  },
  {
    method: 'PUT',
    path: () => '/api/chat/rooms/general/read',
    doc: '/api/chat/rooms/{roomId}/read',
    body: () => ({ messageId: 0 }),
    least: 'viewer',
    ok: 204,
  },
  {
    method: 'POST',
    path: (c) => `/api/chat/rooms/own-${c.role}/archive`,
    doc: '/api/chat/rooms/{roomId}/archive',
    least: 'viewer',
    ok: 204,
  },
  {
    method: 'DELETE',
    path: (c) => `/api/chat/rooms/own-${c.role}`,
    doc: '/api/chat/rooms/{roomId}',
    least: 'viewer',
    ok: 204,
  },
];

/** Socket events and the least role for each: viewers chat. */
const SOCKET_EVENTS: Array<{ event: string; body: (token: string) => unknown; least: Role }> = [
  { event: 'join', body: () => ({ roomId: 'general' }), least: 'viewer' },
  { event: 'typing', body: () => ({ roomId: 'general', isTyping: true }), least: 'viewer' },
  {
    event: 'chat',
    body: () => ({ roomId: 'general', content: 'hello', clientId: `c-${Math.random()}` }),
    least: 'viewer',
  },
  { event: 'auth', body: (token) => ({ token }), least: 'viewer' },
  { event: 'leave', body: () => ({ roomId: 'general' }), least: 'viewer' },
];

describe('roles: every role against every route and socket event', () => {
  let api: ApiProcess;
  const callers: Caller[] = [];

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: { SIMULATOR: 'false', NOTIFY_RATE_PER_S: '1000', NOTIFY_RATE_BURST: '1000' },
    });
    const admin = await login(api, 'alice');
    for (const [role, name] of [
      ['admin', 'alice'],
      ['operator', 'bob'],
      ['viewer', 'carol'],
    ] as const) {
      const session = await login(api, name);
      expect(session.user.role).toBe(role);
      callers.push({
        role,
        id: session.user.id,
        token: session.accessToken,
        ownNotification: 0,
        spare: { token: '', sessionId: '' },
      });
    }
    // Every caller is a member of #general (history is for members) and owns a room of its own.
    for (const c of callers) {
      const s = io(api.baseUrl + CHAT_NAMESPACE, {
        auth: { token: c.token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      await s.timeout(5000).emitWithAck('join', { roomId: 'general' });
      await s.timeout(5000).emitWithAck('join', { roomId: `own-${c.role}` });
      s.close();
    }
    const user = await request(api, 'POST', '/api/users', {
      token: admin.accessToken,
      body: { username: 'fixture', password: 'a-good-password', role: 'viewer' },
    });
    fixtures.userId = user.body.id;
    const key = await request(api, 'POST', '/api/api-keys', {
      token: admin.accessToken,
      body: { name: 'fixture', scopes: ['metrics:read'] },
    });
    fixtures.keyId = key.body.id;
  });
  afterAll(() => api?.dispose());

  /** One notification per caller, sent by the admin, for the routes that act on one. */
  beforeEach(async () => {
    const admin = callers[0];
    for (const c of callers) {
      const res = await request(api, 'POST', '/api/notifications', {
        token: admin.token,
        body: { userId: c.id, title: 'yours', message: '' },
      });
      expect(res.status).toBe(201);
      c.ownNotification = res.body.id;
    }
  });

  it('the table lists every route the API serves (from its OpenAPI document)', async () => {
    const docs = await request(api, 'GET', '/api/docs-json');
    expect(docs.status).toBe(200);
    const served = Object.entries(docs.body.paths as Record<string, object>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const listed = [
      ...PUBLIC_ROUTES,
      ...ROUTES.map((r) => `${r.method} ${r.doc ?? r.path({} as Caller)}`),
    ].sort();
    expect(served).toEqual(listed);
  });

  /** A second session of the caller, for the rows that sign sessions out. */
  async function makeSpare(c: Caller) {
    const name = { admin: 'alice', operator: 'bob', viewer: 'carol' }[c.role];
    // The previous spare session ends (each user may hold MAX_SESSIONS_PER_USER at once).
    if (c.spare.token) await request(api, 'POST', '/api/auth/logout', { token: c.spare.token });
    const spare = await login(api, name);
    const sessions = await request(api, 'GET', '/api/auth/sessions', { token: spare.accessToken });
    const current = sessions.body.find((x: { current: boolean }) => x.current);
    c.spare = { token: spare.accessToken, sessionId: current.id };
  }

  const cases = ROUTES.flatMap((route) =>
    (['admin', 'operator', 'viewer'] as const).map((role) => ({ route, role })),
  );

  it.each(
    cases.map((c) => [`${c.route.method} ${c.route.doc ?? c.route.path({} as Caller)} as ${c.role}`, c]),
  )('%s', async (_name, { route, role }) => {
    const caller = callers.find((c) => c.role === role)!;
    const allowed = RANK[role] <= RANK[route.least];
    if (route.spare || route.needsSpare) await makeSpare(caller);
    const path = route.path(caller);
    if (route.stream) {
      const sse = await RawSse.open(`${api.baseUrl}${path}`, { authorization: `Bearer ${caller.token}` });
      sse.close();
      expect(sse.status).toBe(allowed ? route.ok : 403);
      return;
    }
    const token = route.spare ? caller.spare.token : caller.token;
    const res = await request(api, route.method, path, { token, body: route.body?.(caller) });
    // Signing out everywhere also ended the caller's main session: sign in again for the next rows.
    if (route.spare && res.status < 300) {
      caller.token = (
        await login(api, { admin: 'alice', operator: 'bob', viewer: 'carol' }[role])
      ).accessToken;
    }
    if (allowed) {
      expect(res.status).toBe(route.ok);
    } else {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: expect.stringContaining(route.least),
        requiredRole: route.least,
      });
    }
  });

  it('a viewer cannot notify another user, and learns nothing about who exists', async () => {
    const viewer = callers.find((c) => c.role === 'viewer')!;
    for (const userId of [callers[0].id, 'alice', 'nobody-by-this-name', 999_999]) {
      const res = await request(api, 'POST', '/api/notifications', {
        token: viewer.token,
        body: { userId, title: 'phish', message: 'click here' },
      });
      expect(res.status).toBe(403);
      expect(res.body.requiredRole).toBe('operator');
    }
  });

  it('an unknown recipient is the same 404 by id and by username', async () => {
    const operator = callers.find((c) => c.role === 'operator')!;
    const answers = [];
    for (const userId of ['nobody-by-this-name', 999_999, '999999']) {
      const res = await request(api, 'POST', '/api/notifications', {
        token: operator.token,
        body: { userId, title: 't', message: '' },
      });
      answers.push(res.body);
      expect(res.status).toBe(404);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });

  it('notifications name their sender in the answer, the list and the stream', async () => {
    const [admin, operator, viewer] = callers;
    const stream = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, {
      authorization: `Bearer ${viewer.token}`,
    });
    await stream.waitForEvents('connected');
    const sent = await request(api, 'POST', '/api/notifications', {
      token: operator.token,
      body: { userId: viewer.id, title: 'from bob', message: '' },
    });
    expect(sent.body.sender).toEqual({ id: operator.id, username: 'bob' });
    const live = await stream.until(
      (s) => s.events.find((e) => e.event === 'notification' && JSON.parse(e.data).id === sent.body.id),
      10_000,
      'the notification on the stream',
    );
    stream.close();
    expect(JSON.parse(live.data).sender).toEqual({ id: operator.id, username: 'bob' });
    const list = await request(api, 'GET', '/api/notifications', { token: viewer.token });
    expect(list.body.find((n: { id: number }) => n.id === sent.body.id).sender).toEqual({
      id: operator.id,
      username: 'bob',
    });
    const broadcast = await request(api, 'POST', '/api/notifications/broadcast', {
      token: admin.token,
      body: { title: 'all hands', message: '' },
    });
    expect(broadcast.body.recipients).toBeGreaterThanOrEqual(3);
    const after = await request(api, 'GET', '/api/notifications', { token: viewer.token });
    expect(after.body[0]).toMatchObject({ title: 'all hands', sender: { id: admin.id, username: 'alice' } });
  });

  it.each(['admin', 'operator', 'viewer'] as const)('socket events as %s', async (role) => {
    const caller = callers.find((c) => c.role === role)!;
    const socket: Socket = io(api.baseUrl + CHAT_NAMESPACE, {
      auth: { token: caller.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    try {
      for (const { event, body, least } of SOCKET_EVENTS) {
        const ack = await socket.timeout(5000).emitWithAck(event, body(caller.token));
        if (RANK[role] <= RANK[least]) expect(ack).toMatchObject({ ok: true });
        else expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', requiredRole: least } });
      }
    } finally {
      socket.close();
    }
  });
});
