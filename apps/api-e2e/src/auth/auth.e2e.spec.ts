import { createHmac } from 'node:crypto';

import {
  ApiProcess,
  RawSse,
  TEST_JWT_SECRET,
  TEST_MONITORING_TOKEN,
  login,
  request,
  runApiUntilExit,
} from '@realtime/test-support';

function b64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** Hand-made tokens for the attacks a forged client would try. */
function forge(header: object, payload: object, secret: string | null): string {
  const head = `${b64url(header)}.${b64url(payload)}`;
  if (secret === null) return `${head}.`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: object = {}) => ({
  sub: '1',
  username: 'alice',
  iss: 'realtime-dashboard',
  aud: 'realtime-dashboard',
  iat: now(),
  exp: now() + 600,
  ...extra,
});

describe('authentication', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await ApiProcess.start();
  });
  afterAll(() => api.dispose());

  it('logs a demo user in and the token opens protected endpoints', async () => {
    const res = await request(api, 'POST', '/api/auth/login', {
      body: { username: 'alice', password: 'demo-password' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      expiresIn: 900,
      user: { username: 'alice' },
    });
    expect(typeof res.body.user.id).toBe('number');
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    const header = JSON.parse(Buffer.from(res.body.accessToken.split('.')[0], 'base64url').toString());
    expect(header.alg).toBe('HS256');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/rt_stream=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/api/);

    const me = await request(api, 'GET', '/api/auth/me', {
      token: res.body.accessToken,
    });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body.user);
  });

  it('answers a wrong password or unknown user with 401 and a JSON message', async () => {
    for (const body of [
      { username: 'alice', password: 'wrong' },
      { username: 'mallory', password: 'demo-password' },
    ]) {
      const res = await request(api, 'POST', '/api/auth/login', { body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        statusCode: 401,
        message: 'Wrong username or password',
        error: 'Unauthorized',
      });
    }
  });

  it.each([
    ['missing fields', { username: 'alice' }, /password/],
    ['wrong types', { username: 1, password: true }, /username.*password/],
    ['extra fields', { username: 'alice', password: 'x', admin: true }, /admin/],
  ])('rejects a login body with %s as 400 naming the field', async (_, body, message) => {
    const res = await request(api, 'POST', '/api/auth/login', { body });
    expect(res.status).toBe(400);
    expect(res.body.statusCode).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('rejects malformed JSON and oversized bodies with a 4xx JSON body', async () => {
    const bad = await request(api, 'POST', '/api/auth/login', {
      rawBody: '{"username":',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/JSON/);
    const big = await request(api, 'POST', '/api/auth/login', {
      body: { username: 'alice', password: 'x'.repeat(200_000) },
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ statusCode: 413 });
    expect(big.body.message).toMatch(/limit/);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(api, 'GET', '/api/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404 });
  });

  describe('refuses bad tokens on REST and on streams', () => {
    const cases: Array<[string, () => string | undefined]> = [
      ['no token', () => undefined],
      ['garbage', () => 'not-a-jwt'],
      [
        'a wrong signature',
        () => forge({ alg: 'HS256', typ: 'JWT' }, claims(), 'another-secret-0123456789abcdef0123'),
      ],
      ['alg: none', () => forge({ alg: 'none', typ: 'JWT' }, claims(), null)],
      [
        'alg: HS512 with the right key',
        () => {
          const head = `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url(claims())}`;
          return `${head}.${createHmac('sha512', TEST_JWT_SECRET).update(head).digest('base64url')}`;
        },
      ],
      [
        'an expired token',
        () =>
          forge({ alg: 'HS256', typ: 'JWT' }, claims({ iat: now() - 100, exp: now() - 10 }), TEST_JWT_SECRET),
      ],
      [
        'a not-yet-valid token',
        () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ nbf: now() + 600 }), TEST_JWT_SECRET),
      ],
      [
        'a wrong issuer',
        () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ iss: 'someone-else' }), TEST_JWT_SECRET),
      ],
      [
        'a wrong audience',
        () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ aud: 'someone-else' }), TEST_JWT_SECRET),
      ],
      [
        'a user that does not exist',
        () => forge({ alg: 'HS256', typ: 'JWT' }, claims({ sub: '999999' }), TEST_JWT_SECRET),
      ],
    ];

    it('accepts a well-formed token signed with our key (the control case)', async () => {
      const token = forge({ alg: 'HS256', typ: 'JWT' }, claims(), TEST_JWT_SECRET);
      expect((await request(api, 'GET', '/api/auth/me', { token })).status).toBe(200);
    });

    it.each(cases)('REST: %s → 401 JSON', async (_, make) => {
      const res = await request(api, 'GET', '/api/auth/me', { token: make() });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401 });
      expect(typeof res.body.message).toBe('string');
    });

    it('says why an expired token is refused', async () => {
      const token = forge({ alg: 'HS256', typ: 'JWT' }, claims({ exp: now() - 10 }), TEST_JWT_SECRET);
      const res = await request(api, 'GET', '/api/auth/me', { token });
      expect(res.body.message).toBe('Access token expired');
    });

    it.each(cases)('SSE: %s → 401 before any stream byte', async (_, make) => {
      const token = make();
      for (const path of ['/api/dashboard/stream', '/api/notifications/stream']) {
        const sse = await RawSse.open(
          `${api.baseUrl}${path}`,
          token ? { authorization: `Bearer ${token}` } : {},
        );
        await sse.until((s) => s.closed, 10_000, 'the 401 to end');
        expect(sse.status).toBe(401);
        expect(sse.headers['content-type']).toMatch(/application\/json/);
        expect(JSON.parse(sse.body)).toMatchObject({ statusCode: 401 });
      }
    });
  });

  it('lets a stream authenticate with the login cookie, but no other request', async () => {
    const res = await request(api, 'POST', '/api/auth/login', {
      body: { username: 'bob', password: 'demo-password' },
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    const me = await request(api, 'GET', '/api/auth/me', {
      headers: { cookie },
    });
    expect(me.status).toBe(401);
    const sse = await RawSse.open(`${api.baseUrl}/api/notifications/stream`, {
      cookie,
    });
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toMatch(/text\/event-stream/);
    sse.close();
  });

  it('reports the database in /api/health to monitoring (MONITORING_TOKEN)', async () => {
    const res = await request(api, 'GET', '/api/health', { token: TEST_MONITORING_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
  });

  it('serves the OpenAPI document', async () => {
    const res = await request(api, 'GET', '/api/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toContain('/api/auth/login');
  });

  it('issues tokens other users cannot use to read each other (ids differ per user)', async () => {
    const alice = await login(api, 'alice');
    const bob = await login(api, 'bob');
    expect(alice.user.id).not.toBe(bob.user.id);
  });
});

describe('configuration at start-up', () => {
  it.each([
    [{ PORT: 'abc' }, /PORT="abc" must be a whole number/],
    [{ DATABASE_URL: 'mysql://nope' }, /DATABASE_URL/],
    [{ NODE_ENV: 'production', JWT_SECRET: '' }, /JWT_SECRET is required/],
  ])('%j stops the process with exit code 1 and one line naming the variable', async (env, message) => {
    const { code, output } = await runApiUntilExit(env as Record<string, string>);
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(message);
  });
});
