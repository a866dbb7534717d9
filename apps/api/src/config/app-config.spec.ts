import { ConfigError, loadConfig, redactSecrets, withoutPassword } from './app-config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      jwtTtlS: 900,
      dashboardTickMs: 5000,
      heartbeatMs: 30000,
      databaseUrl: 'sqlite:data/realtime.db',
      redisUrl: undefined,
      demo: true,
      jwtSecretGenerated: true,
      chatRateLimit: { perSecond: 10, burst: 20 },
      notificationStreamsPerUser: 20,
    });
    expect(c.jwtSecret).toHaveLength(64);
  });

  it.each([
    ['PORT', 'abc', /PORT="abc" must be a whole number/],
    ['PORT', '70000', /PORT="70000" must be at most 65535/],
    ['JWT_TTL_S', '-5', /JWT_TTL_S/],
    ['DASHBOARD_TICK_MS', '1.5', /DASHBOARD_TICK_MS/],
    ['HEARTBEAT_MS', '10', /HEARTBEAT_MS="10" must be at least 100/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL="mysql:\/\/x" must be sqlite/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL/],
    ['REDIS_PREFIX', 'has space', /REDIS_PREFIX/],
    ['PRESENCE_TTL_MS', '10', /PRESENCE_TTL_MS="10" must be at least 300/],
    ['DEMO', 'maybe', /DEMO="maybe" must be true or false/],
    ['JWT_SECRET', 'short', /JWT_SECRET must be at least 32 characters$/],
    ['CHAT_RATE_PER_S', '0', /CHAT_RATE_PER_S="0" must be at least 1/],
    ['CHAT_RATE_BURST', 'lots', /CHAT_RATE_BURST/],
    ['NOTIFICATION_STREAMS_PER_USER', '0', /NOTIFICATION_STREAMS_PER_USER="0" must be at least 1/],
  ])('rejects %s=%s with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('requires JWT_SECRET in production and turns DEMO off there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
    const c = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'a7Gq-9zLm2Vx4Rt8Yb1Nc6Hd3Kf5Wp0S',
    });
    expect(c.demo).toBe(false);
    expect(c.jwtSecretGenerated).toBe(false);
  });

  it('refuses a guessable production JWT_SECRET without printing it', () => {
    for (const [secret, reason] of [
      ['x'.repeat(40), /at least 10 different characters/],
      ['abcdefghij'.repeat(4), /must not repeat a shorter string/],
    ] as const) {
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret })).toThrow(reason);
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret })).not.toThrow(secret);
      // Outside production a weak key only needs its length (tests, local runs).
      expect(loadConfig({ JWT_SECRET: secret }).jwtSecret).toBe(secret);
    }
  });

  it('never prints a URL password or a secret in an error line', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:pw-1234@db/x?password=pw-1234' })).toThrow(
      'Invalid configuration: DATABASE_URL="mysql://***@db/x" must be sqlite:<file> or postgres://…',
    );
    expect(() => loadConfig({ REDIS_URL: 'tcp://:pw-1234@r:6379' })).toThrow(
      /REDIS_URL="tcp:\/\/\*\*\*@r:6379"/,
    );
    expect(withoutPassword('postgres://a:b@c@host/db')).toBe('postgres://***@host/db');
    expect(
      redactSecrets('connect failed for postgres://u:p%40ss@h and key k-123456', {
        DATABASE_URL: 'postgres://u:p%40ss@h/db',
        JWT_SECRET: 'k-123456',
      }),
    ).toBe('connect failed for postgres://u:***@h and key ***');
  });

  it('serves the API docs outside production only, unless API_DOCS says otherwise', () => {
    expect(loadConfig({}).apiDocs).toBe(true);
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'a7Gq-9zLm2Vx4Rt8Yb1Nc6Hd3Kf5Wp0S' };
    expect(loadConfig(prod).apiDocs).toBe(false);
    expect(loadConfig({ ...prod, API_DOCS: 'true' }).apiDocs).toBe(true);
  });

  it('trusts X-Forwarded-For from loopback by default, from the listed proxies when set', () => {
    expect(loadConfig({}).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, uniquelocal,::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      'uniquelocal',
      '::1',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY=.*"10.0.0.0\/33"/);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  it('reads DEMO=false and a postgres url', () => {
    const c = loadConfig({
      DEMO: 'false',
      DATABASE_URL: 'postgres://localhost/test',
    });
    expect(c.demo).toBe(false);
    expect(c.databaseUrl).toBe('postgres://localhost/test');
  });

  it('runs the order simulator with DEMO unless SIMULATOR says otherwise', () => {
    expect(loadConfig({}).simulator).toBe(true);
    expect(loadConfig({ DEMO: 'false' }).simulator).toBe(false);
    expect(loadConfig({ DEMO: 'true', SIMULATOR: 'false' })).toMatchObject({ demo: true, simulator: false });
    expect(() => loadConfig({ SIMULATOR: 'often' })).toThrow(/SIMULATOR="often" must be true or false/);
  });
});
