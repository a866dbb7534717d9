import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ApiProcess } from '@realtime/test-support';
import type { Browser, Page } from 'playwright-core';

import { RESULTS_DIR, launchChromium, signIn } from './support/browser';
import { DashboardServer } from './support/dashboard-server';

const DOCS_SCREENSHOT = resolve(__dirname, '../../../docs/screenshot-dashboard.png');

/** A short reconnect base so that five attempts take seconds, not a minute. */
const BACKOFF_BASE_MS = 500;

describe('live overview', () => {
  let api: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;
  let page: Page;

  const status = () => page.getByTestId('connection-status');
  const waitForStatus = (text: string, timeout = 60_000) =>
    status().filter({ hasText: text }).waitFor({ timeout });
  const attr = async (testId: string, name: string) =>
    Number(await page.getByTestId(testId).getAttribute(name));
  /** Waits until the page has received more than `count` metrics events. */
  const waitForEventsAfter = (count: number) =>
    page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=updated]')?.getAttribute('data-events')) > n,
      count,
      { timeout: 60_000 },
    );

  beforeAll(async () => {
    api = await ApiProcess.start({ env: { DASHBOARD_TICK_MS: '1000', HEARTBEAT_MS: '5000' } });
    server = await DashboardServer.start(() => api.port);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    await page.goto(`${server.url}/login?backoffBaseMs=${BACKOFF_BASE_MS}`);
    await signIn(page, server.url, 'alice');
    await page.waitForURL('**/dashboard');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.dispose();
  });

  it('shows live numbers that update', async () => {
    await waitForStatus('Live');
    await waitForEventsAfter(2);
    // alice's own stream makes her an active user.
    await page
      .getByTestId('metric-active-users')
      .locator('.value')
      .filter({ hasText: /^[1-9]\d*$/ })
      .waitFor();
    await page.getByTestId('metric-revenue').locator('.value').filter({ hasText: /\d/ }).waitFor();
    await page
      .getByTestId('metric-status')
      .locator('.value')
      .filter({ hasText: /Operational|Degraded|Down/ })
      .waitFor();
    const before = await attr('updated', 'data-events');
    await waitForEventsAfter(before);
    expect(await attr('chart-orders', 'data-points')).toBeGreaterThan(1);
    await page.getByTestId('latency-last').waitFor();
  });

  it('refreshes on demand', async () => {
    const before = await attr('updated', 'data-events');
    await page.getByTestId('refresh').click();
    await page.getByTestId('refresh').filter({ hasText: 'Refresh' }).waitFor();
    await waitForEventsAfter(before);
  });

  it('saves light and dark screenshots', async () => {
    await waitForEventsAfter((await attr('updated', 'data-events')) + 4);
    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.emulateMedia({ colorScheme: 'light' });
    const light = join(RESULTS_DIR, 'dashboard-light.png');
    await page.screenshot({ path: light, fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(RESULTS_DIR, 'dashboard-dark.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    // Responsive: once the charts have followed the new width, nothing overflows sideways.
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth);
    await page.screenshot({ path: join(RESULTS_DIR, 'dashboard-phone-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1440, height: 960 });
    // The README's picture: refreshed on request only, so a test run leaves the work tree clean.
    if (process.env.E2E_UPDATE_DOCS === '1' || !existsSync(DOCS_SCREENSHOT)) {
      mkdirSync(resolve(DOCS_SCREENSHOT, '..'), { recursive: true });
      copyFileSync(light, DOCS_SCREENSHOT);
    }
  });

  it('pauses while the browser is offline and resumes by itself', async () => {
    await waitForStatus('Live');
    await page.context().setOffline(true);
    await waitForStatus('Offline');
    await page.getByTestId('connection-message').filter({ hasText: "You're offline" }).waitFor();
    const events = await attr('updated', 'data-events');
    await page.context().setOffline(false);
    await waitForStatus('Live');
    await waitForEventsAfter(events);
  });

  it('shows reconnecting while the API is down and continues the chart once it is back', async () => {
    await waitForStatus('Live');
    const firstPoint = await attr('chart-orders', 'data-first');
    const points = await attr('chart-orders', 'data-points');

    await api.stop();
    await waitForStatus('Reconnecting');
    await page.getByTestId('connection-message').filter({ hasText: "Can't reach the server" }).waitFor();
    await page.screenshot({ path: join(RESULTS_DIR, 'dashboard-reconnecting.png') });

    // At once the system status stops claiming what it cannot know.
    await page.getByTestId('metric-status').locator('.value').filter({ hasText: 'Disconnected' }).waitFor();
    // Silent for more than two ticks: every figure is marked stale, with its age.
    await page.locator('[data-testid=updated].stale').waitFor();
    for (const card of ['metric-active-users', 'metric-orders', 'metric-revenue'])
      await page
        .getByTestId(card)
        .getByTestId('stale')
        .filter({ hasText: /Stale · \d+ s ago/ })
        .waitFor();
    await page.screenshot({ path: join(RESULTS_DIR, 'dashboard-disconnected-stale.png') });
    await api.restart();
    await waitForStatus('Live');
    // The outage's banner went with it.
    await page.getByTestId('connection-message').waitFor({ state: 'detached' });
    const events = await attr('updated', 'data-events');
    await waitForEventsAfter(events);
    // The earlier points are still there and new ones follow them, after a gap in every chart. On
    // reconnect the chart reloads the stored history, whose per-minute rows may start it earlier
    // than the first live tick: the start never moves later (no reset).
    expect(await attr('chart-orders', 'data-first')).toBeLessThanOrEqual(firstPoint);
    expect(await attr('chart-orders', 'data-points')).toBeGreaterThan(points);
    for (const chart of ['chart-orders', 'chart-revenue', 'chart-users'])
      expect(await attr(chart, 'data-gaps')).toBeGreaterThanOrEqual(1);
  });

  it('gives up after five attempts and offers Reconnect, which works once the API is back', async () => {
    await waitForStatus('Live');
    await api.stop();
    await waitForStatus('Reconnecting (attempt 1 of 5)');
    await waitForStatus('Disconnected');
    const reconnect = page.getByTestId('reconnect');
    await reconnect.waitFor();
    await page.screenshot({ path: join(RESULTS_DIR, 'dashboard-disconnected.png') });

    await api.restart();
    const events = await attr('updated', 'data-events');
    await reconnect.click();
    await waitForStatus('Live');
    await waitForEventsAfter(events);
    expect(await reconnect.count()).toBe(0);
  });

  // Since sessions (issue 12) a new signing key no longer signs the user out: the refused access
  // token is renewed from the session cookie (signed with the new key) and the page stays live.
  it('after a restart with a new signing key, renews the session silently and stays live, never "Can\'t reach the server"', async () => {
    await waitForStatus('Live');
    api.env['JWT_SECRET'] = 'a-new-secret-after-restart-0123456789abcdef';
    await api.restart();
    const events = await attr('updated', 'data-events');
    await waitForEventsAfter(events);
    await waitForStatus('Live');
    expect(page.url()).toMatch(/\/dashboard/);
    expect(await page.getByText("Can't reach the server").count()).toBe(0);
  });
});
