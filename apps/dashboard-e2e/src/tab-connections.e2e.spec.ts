import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';

import { ApiProcess } from '@realtime/test-support';
import type { Browser, Page } from 'playwright-core';

import { RESULTS_DIR, launchChromium, signIn } from './support/browser';
import { DASHBOARD_DIST, DashboardServer } from './support/dashboard-server';

/**
 * A measurement, not a check: how many connections one browser holds with 1, 3 and 10 tabs of the
 * dashboard open (one signed-in user), counted by the API (`GET /api/dashboard/connections`, open
 * streams and sockets by kind) and by the proxy in front of it (TCP connections from the browser,
 * idle keep-alives included). Runs only when asked, as it takes a minute:
 *
 *   E2E_MEASURE_TABS=1 npx jest -c apps/dashboard-e2e/jest.e2e.config.cts tab-connections
 *
 * and `E2E_DASHBOARD_DIST=<another build>` measures that build (docs/tabs.md has both).
 */
const measure = process.env.E2E_MEASURE_TABS === '1' ? describe : describe.skip;

measure('connections held by one browser', () => {
  let api: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    api = await ApiProcess.start({ env: { DASHBOARD_TICK_MS: '1000' } });
    server = await DashboardServer.start(() => api.port);
    browser = await launchChromium();
    const res = await fetch(`${api.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'demo-password' }),
    });
    token = ((await res.json()) as { accessToken: string }).accessToken;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.dispose();
  });

  async function apiCounts(): Promise<Record<string, number>> {
    const res = await fetch(`${api.baseUrl}/api/dashboard/connections`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await res.json()) as { connections: Record<string, number> }).connections;
  }

  /** Counts once nothing has changed for two seconds (or after 30 s). */
  async function settled(): Promise<{ api: Record<string, number>; tcp: number; streams: number }> {
    let last = '';
    let stableSince = Date.now();
    const started = Date.now();
    for (;;) {
      const now = { api: await apiCounts(), tcp: server.openSockets(), streams: server.traffic.streamsOpen };
      const key = JSON.stringify(now);
      if (key !== last) {
        last = key;
        stableSince = Date.now();
      } else if (Date.now() - stableSince > 2000 || Date.now() - started > 30_000) return now;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('counts 1, 3 and 10 tabs', async () => {
    const rows: string[] = [];
    for (const n of [1, 3, 10]) {
      const context = await browser.newContext();
      const first = await context.newPage();
      await signIn(first, server.url, 'bob');
      await first.waitForURL('**/dashboard');
      const session = await first.evaluate(() => sessionStorage.getItem('rt.session'));
      await context.addInitScript((s) => {
        if (s && !sessionStorage.getItem('rt.session')) sessionStorage.setItem('rt.session', s);
      }, session);
      const pages: Page[] = [first];
      for (let i = 1; i < n; i++) {
        const page = await context.newPage();
        // A tab that cannot get a connection never finishes loading: do not wait for it here.
        void page.goto(`${server.url}/dashboard`, { timeout: 60_000 }).catch(() => undefined);
        pages.push(page);
      }
      const live = await Promise.all(
        pages.map((page) =>
          page
            .getByTestId('connection-status')
            .filter({ hasText: 'Live' })
            .waitFor({ timeout: 30_000 })
            .then(() => true)
            .catch(() => false),
        ),
      );
      const liveTabs = live.filter(Boolean).length;
      const c = await settled();
      rows.push(
        `| ${n} | ${liveTabs} | ${c.api['dashboard'] ?? 0} | ${c.api['notifications'] ?? 0} | ${c.api['chat'] ?? 0} | ${c.streams} | ${c.tcp} |`,
      );
      await context.close();
      await settled();
    }
    const table = [
      `Dashboard build: ${DASHBOARD_DIST}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
      '',
      '| tabs | tabs live | dashboard streams | notification streams | chat sockets | SSE requests open (proxy) | TCP connections (proxy) |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
    writeFileSync(join(RESULTS_DIR, 'tab-connections.md'), table + '\n');
    console.log(table);
  }, 300_000);
});
