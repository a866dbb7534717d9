import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { ApiProcess, TEST_JWT_SECRET, login, request, runApiUntilExit } from '@realtime/test-support';

/** A stand-in for the dashboard build: the same shapes (nonce placeholder, hashed names). */
function fakeDashboardBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rt-dashboard-'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><script nonce="rt-csp-nonce">1</script></head>' +
      `<body><rt-root ngCspNonce="rt-csp-nonce"></rt-root>${'<!-- padding -->'.repeat(100)}` +
      '<script src="main-ABCDEFGH.js" type="module"></script></body></html>',
  );
  writeFileSync(join(dir, 'main-ABCDEFGH.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  writeFileSync(join(dir, 'favicon.ico'), 'icon');
  return dir;
}

const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET, DEMO: 'true' };

describe('production: one process serves the dashboard and the API', () => {
  let api: ApiProcess;
  let dir: string;

  beforeAll(async () => {
    dir = fakeDashboardBuild();
    api = await ApiProcess.start({ env: { ...PRODUCTION, DASHBOARD_DIR: dir } });
  });
  afterAll(async () => {
    await api?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, uncached, with a fresh nonce in a strict CSP', async () => {
    const pages = await Promise.all(['/', '/dashboard', '/chat/general'].map((p) => fetch(api.baseUrl + p)));
    const nonces = new Set<string>();
    for (const res of pages) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      const html = await res.text();
      expect(html).toContain(`<script nonce="${nonce}">`);
      expect(html).toContain(`ngCspNonce="${nonce}"`);
      expect(html).not.toContain('rt-csp-nonce');
      nonces.add(nonce!);
    }
    expect(nonces.size).toBe(3);
  });

  it('compresses and caches hashed assets for a year, revalidates the rest, 404s missing files', async () => {
    const asset = await fetch(`${api.baseUrl}/main-ABCDEFGH.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // fetch decodes the gzip body; the header says it travelled compressed.
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(await asset.text()).toContain('console.log');

    const icon = await fetch(`${api.baseUrl}/favicon.ico`);
    expect(icon.headers.get('cache-control')).toBe('no-cache');

    const missing = await request(api, 'GET', '/main-MISSING0.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404 });
  });

  it('keeps /api as it was: JSON, uncompressed streams, the API 404 for unknown routes', async () => {
    const { accessToken } = await login(api, 'alice');
    const snapshot = await request(api, 'GET', '/api/dashboard/snapshot', { token: accessToken });
    expect(snapshot.status).toBe(200);
    expect(snapshot.body).toHaveProperty('activeUsers');
    const unknown = await request(api, 'GET', '/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404 });

    const ctrl = new AbortController();
    const stream = await fetch(`${api.baseUrl}/api/dashboard/stream`, {
      headers: { authorization: `Bearer ${accessToken}`, 'accept-encoding': 'gzip' },
      signal: ctrl.signal,
    });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(stream.headers.get('content-encoding')).toBeNull();
    ctrl.abort();
  });

  it('hides the OpenAPI docs in production', async () => {
    for (const path of ['/api/docs', '/api/docs-json']) {
      const res = await request(api, 'GET', path);
      expect(res.status).toBe(404);
    }
  });
});

describe('production: API_DOCS=true serves the docs', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await ApiProcess.start({ env: { ...PRODUCTION, API_DOCS: 'true' } });
  });
  afterAll(() => api?.dispose());

  it('serves /api/docs-json', async () => {
    const res = await request(api, 'GET', '/api/docs-json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toContain('/api/auth/login');
  });
});

describe('production: start-up errors name the variable and keep secrets out', () => {
  it.each([
    ['a short secret', { JWT_SECRET: 'hunter2-hunter2' }, /JWT_SECRET .*at least 32 characters/, 'hunter2'],
    [
      'a repetitive secret',
      { JWT_SECRET: 'abcdefghij'.repeat(4) },
      /JWT_SECRET must not repeat a shorter string/,
      'abcdefghij',
    ],
    [
      'a one-letter secret',
      { JWT_SECRET: 'x'.repeat(40) },
      /JWT_SECRET must use at least 10 different/,
      'xxxx',
    ],
    [
      'a bad database URL',
      { JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: 'mysql://admin:s3cr3t-pw@db:3306/app' },
      /DATABASE_URL="mysql:\/\/\*\*\*@db:3306\/app" must be sqlite/,
      's3cr3t-pw',
    ],
  ])('%s: exit 1, one line naming the variable, no secret', async (_, env, message, secret) => {
    const { code, output } = await runApiUntilExit({ NODE_ENV: 'production', ...env });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(message);
    expect(output).not.toContain(secret);
  });

  it('an unreachable database: exit 1, one line, no password', async () => {
    const { code, output } = await runApiUntilExit({
      NODE_ENV: 'production',
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: 'postgres://admin:s3cr3t-pw@127.0.0.1:1/app',
    });
    expect(code).toBe(1);
    expect(output.trim()).toMatch(/^Failed to start: .*ECONNREFUSED[^\n]*$/);
    expect(output).not.toContain('s3cr3t-pw');
  });
});

describe('production: dependencies', () => {
  const root = resolve(__dirname, '../../../..');
  const read = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));
  const EXACT = /^\d+\.\d+\.\d+$/;

  it('pins every dependency of the workspace exactly', () => {
    const pkg = read('package.json');
    const loose = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(
      ([, version]) => !EXACT.test(String(version)),
    );
    expect(loose).toEqual([]);
  });

  it("installs in production only what the API imports at run time, pinned (the build's package.json)", () => {
    const pkg = read('package.json');
    const api = read('dist/apps/api/package.json');
    const names = Object.keys(api.dependencies);
    expect(names).toContain('@nestjs/core');
    expect(names.filter((n) => n in pkg.devDependencies)).toEqual([]);
    expect(
      names.filter((n) =>
        /^@angular\/|^@nx\/|jest|typescript|eslint|webpack|playwright|chart|socket\.io-client/.test(n),
      ),
    ).toEqual([]);
    expect(Object.entries(api.dependencies).filter(([, v]) => !EXACT.test(String(v)))).toEqual([]);
  });
});
