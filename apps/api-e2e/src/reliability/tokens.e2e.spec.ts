import { io } from 'socket.io-client';

import { CHAT_NAMESPACE } from '@realtime/contracts';
import { ApiProcess, RawSse, login, request } from '@realtime/test-support';

import { insertUsers, signToken, sql, until } from './support';

const now = () => Math.floor(Date.now() / 1000);

/** Connects to /chat and resolves with the socket, or with the refusal's message and data. */
function handshake(api: ApiProcess, token: string | undefined) {
  return new Promise<{ connected: boolean; message?: string; data?: unknown; close: () => void }>(
    (resolve) => {
      const socket = io(api.baseUrl + CHAT_NAMESPACE, {
        auth: token === undefined ? {} : { token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      const close = () => socket.close();
      socket.once('connect', () => resolve({ connected: true, close }));
      socket.once('connect_error', (err: Error & { data?: unknown }) => {
        close();
        resolve({ connected: false, message: err.message, data: err.data, close });
      });
    },
  );
}

async function refusedEverywhere(api: ApiProcess, token: string | undefined): Promise<string[]> {
  const reasons: string[] = [];
  const rest = await request(api, 'GET', '/api/auth/me', { token });
  expect(rest.status).toBe(401);
  reasons.push(rest.body.message);
  for (const path of ['/api/notifications/stream', '/api/dashboard/stream']) {
    const sse = await RawSse.open(`${api.baseUrl}${path}`, token ? { authorization: `Bearer ${token}` } : {});
    await sse.until((s) => s.closed, 10_000, 'the refusal to end');
    expect(sse.status).toBe(401);
    expect(sse.events).toEqual([]);
  }
  const socket = await handshake(api, token);
  expect(socket.connected).toBe(false);
  expect(socket.data).toEqual({ code: 'UNAUTHORIZED' });
  reasons.push(socket.message!);
  return reasons;
}

describe('token attacks on every surface (REST, both streams, the socket handshake)', () => {
  let api: ApiProcess;
  let aliceId: number;

  beforeAll(async () => {
    api = await ApiProcess.start({ env: { SIMULATOR: 'false' } });
    aliceId = (await login(api, 'alice')).user.id;
  });
  afterAll(() => api?.dispose());

  const attacks: Array<[string, () => string | undefined, string]> = [
    ['no token', () => undefined, 'Missing access token'],
    ['garbage', () => 'not.a.jwt', 'Invalid access token'],
    [
      'a wrong signature',
      () => signToken({ sub: String(aliceId) }, { secret: 'k'.repeat(40) }),
      'Invalid access token',
    ],
    [
      'alg: none',
      () => signToken({ sub: String(aliceId) }, { header: { alg: 'none' }, secret: null }),
      'Invalid access token',
    ],
    [
      'algorithm confusion (HS512 with our key)',
      () => signToken({ sub: String(aliceId) }, { header: { alg: 'HS512' }, hash: 'sha512' }),
      'Invalid access token',
    ],
    [
      'algorithm confusion (RS256 header, HMAC with our key)',
      () => signToken({ sub: String(aliceId) }, { header: { alg: 'RS256' } }),
      'Invalid access token',
    ],
    ['expired', () => signToken({ sub: String(aliceId), exp: now() - 5 }), 'Access token expired'],
    ['not yet valid', () => signToken({ sub: String(aliceId), nbf: now() + 600 }), 'Invalid access token'],
    [
      'a token issued in the future',
      () => signToken({ sub: String(aliceId), iat: now() + 3600, exp: now() + 7200 }),
      'Access token issued in the future',
    ],
    ['a wrong issuer', () => signToken({ sub: String(aliceId), iss: 'evil' }), 'Invalid access token'],
    ['a wrong audience', () => signToken({ sub: String(aliceId), aud: 'evil' }), 'Invalid access token'],
    ['a non-numeric subject', () => signToken({ sub: 'alice' }), 'Invalid access token'],
    ['a user that never existed', () => signToken({ sub: '987654' }), 'User no longer exists'],
  ];

  it.each(attacks)(
    '%s: refused with the same reason on REST, SSE and the socket',
    async (_, make, reason) => {
      expect(await refusedEverywhere(api, make())).toEqual([reason, reason]);
    },
  );

  it('a deleted user: accepted while it exists, refused everywhere once deleted', async () => {
    const [id] = await insertUsers(api, ['doomed']);
    const token = signToken({ sub: String(id), username: 'doomed' });
    expect((await request(api, 'GET', '/api/auth/me', { token })).status).toBe(200);
    const ok = await handshake(api, token);
    expect(ok.connected).toBe(true);
    ok.close();
    await sql(api, 'DELETE FROM users WHERE id = $1', [id]);
    // The user lookup is cached for at most 5 s (UsersService); then every surface refuses.
    await until(
      async () => (await request(api, 'GET', '/api/auth/me', { token })).status === 401,
      'the deleted user to be refused',
    );
    expect(await refusedEverywhere(api, token)).toEqual(['User no longer exists', 'User no longer exists']);
  });
});

describe('a stream or socket is closed when its token expires (JWT_TTL_S=10)', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await ApiProcess.start({ env: { SIMULATOR: 'false', JWT_TTL_S: '10', HEARTBEAT_MS: '60000' } });
  });
  afterAll(() => api?.dispose());

  it('ends both SSE streams and disconnects the socket at expiry, not before', async () => {
    const { accessToken, expiresIn } = await login(api, 'carol');
    expect(expiresIn).toBe(10);
    const exp = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).exp as number;
    const auth = { authorization: `Bearer ${accessToken}` };
    const [notifications, dashboard] = await Promise.all([
      RawSse.open(`${api.baseUrl}/api/notifications/stream`, auth),
      RawSse.open(`${api.baseUrl}/api/dashboard/stream`, auth),
    ]);
    const socket = io(api.baseUrl + CHAT_NAMESPACE, {
      auth: { token: accessToken },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const errors: unknown[] = [];
    socket.on('error', (e: unknown) => errors.push(e));
    const disconnected = new Promise<{ reason: string; at: number }>((resolve) =>
      socket.once('disconnect', (reason) => resolve({ reason, at: Date.now() })),
    );
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await notifications.waitForEvents('connected');
    await dashboard.waitForEvents('metrics');

    const closedAt = async (sse: RawSse) => {
      await sse.until((s) => s.closed, 20_000, 'the stream to end at token expiry');
      return Date.now();
    };
    const [n, d, s] = await Promise.all([closedAt(notifications), closedAt(dashboard), disconnected]);
    // Closed by the expiry, not earlier (a lower bound only: no upper timing threshold).
    for (const at of [n, d, s.at]) expect(at).toBeGreaterThanOrEqual(exp * 1000 - 50);
    expect(s.reason).toBe('io server disconnect');
    expect(errors).toContainEqual({ code: 'UNAUTHORIZED', message: 'token expired' });
    socket.close();

    // A client that reconnects with the expired token is refused on every surface.
    expect(await refusedEverywhere(api, accessToken)).toEqual([
      'Access token expired',
      'Access token expired',
    ]);
  }, 40_000);
});
