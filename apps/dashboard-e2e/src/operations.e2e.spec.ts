import { randomBytes } from 'node:crypto';

import Redis from 'ioredis';
import type { Browser, Page } from 'playwright-core';

import { ApiProcess, TEST_MONITORING_TOKEN, TestDatabase } from '@realtime/test-support';

import { launchChromium, signIn } from './support/browser';
import { DashboardServer } from './support/dashboard-server';

const REDIS_URL = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The operations page of a two-instance cluster (real Redis and PostgreSQL): the browser talks
 * to instance A only, and the page lists both, one publishing the ticks and one following.
 */
describe('operations page on a cluster', () => {
  const prefix = `e2e:${randomBytes(6).toString('hex')}:`;
  let database: TestDatabase;
  let a: ApiProcess;
  let b: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    database = await TestDatabase.create('postgres');
    const env = { REDIS_URL, REDIS_PREFIX: prefix, SIMULATOR: 'false', INSTANCE_STATUS_MS: '300' };
    a = await ApiProcess.start({ env, database });
    b = await ApiProcess.start({ env, database });
    server = await DashboardServer.start(() => a.port);
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  });

  it('shows both instances to an admin, with their tick roles, live over the one stream', async () => {
    const requested: string[] = [];
    page.on('request', (r) => requested.push(decodeURIComponent(r.url())));
    const ids = await Promise.all(
      [a, b].map(async (api) => {
        // The details are for monitoring: the harness starts every API with TEST_MONITORING_TOKEN.
        const res = await fetch(`${api.baseUrl}/api/health`, {
          headers: { authorization: `Bearer ${TEST_MONITORING_TOKEN}` },
        });
        const health = (await res.json()) as {
          details: { connections: { instance: string } };
        };
        return health.details.connections.instance;
      }),
    );
    await signIn(page, server.url, 'alice');
    await page.waitForURL('**/dashboard');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operations' }).click();
    await page.waitForURL('**/operations');
    const rows = page.getByTestId('instance-row');
    for (const id of ids) await page.locator(`[data-testid="instance-row"][data-instance="${id}"]`).waitFor();
    expect(await rows.count()).toBe(2);
    const ticks = (await page.getByTestId('ticks').allTextContents()).map((t) => t.trim()).sort();
    expect(ticks).toEqual(['following', 'publishing']);
    await page.locator(`[data-instance="${ids[0]}"]`).getByText('this one').waitFor();
    // The list came over the browser's one EventSource, which took the ops channel on; no polling.
    expect(requested.some((u) => /\/api\/stream\?channels=[a-z,]*\bops\b/.test(u))).toBe(true);
    expect(requested.filter((u) => u.includes('/api/ops/instances'))).toEqual([]);
  });

  it('has no Operations link for a viewer, and sends one who types the address back', async () => {
    const context = await browser.newContext();
    const carol = await context.newPage();
    await signIn(carol, server.url, 'carol');
    await carol.waitForURL('**/dashboard');
    expect(await carol.getByRole('link', { name: 'Operations' }).count()).toBe(0);
    await carol.goto(`${server.url}/operations`);
    await carol.waitForURL('**/dashboard');
    await context.close();
  });
});
