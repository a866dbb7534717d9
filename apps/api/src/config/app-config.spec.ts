import { ConfigError, loadConfig } from './app-config';

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
    ['JWT_SECRET', 'short', /JWT_SECRET=.* at least 32 characters/],
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
      JWT_SECRET: 'x'.repeat(32),
    });
    expect(c.demo).toBe(false);
    expect(c.jwtSecretGenerated).toBe(false);
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
