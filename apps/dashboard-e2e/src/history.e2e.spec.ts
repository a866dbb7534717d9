import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ApiProcess, login, request } from '@realtime/test-support';
import type { Browser, Page } from 'playwright-core';

import { RESULTS_DIR, launchChromium, signIn } from './support/browser';
import { DashboardServer } from './support/dashboard-server';

const DOCS = resolve(__dirname, '../../../docs');

/** Saves a screenshot under test-results/; the README's copy in docs/ only with E2E_UPDATE_DOCS=1. */
async function screenshot(page: Page, name: string, fullPage = false) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, name);
  await page.screenshot({ path, fullPage });
  if (process.env.E2E_UPDATE_DOCS === '1') copyFileSync(path, resolve(DOCS, name));
}

/** History, pause and resume, alerts and annotations on the overview, as bob (an operator) sees them. */
describe('history and alerts in the dashboard', () => {
  let api: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;
  let page: Page;
  let token: string;

  const attr = async (testId: string, name: string) =>
    Number(await page.getByTestId(testId).getAttribute(name));
  const events = () => attr('updated', 'data-events');
  /** Waits until the numeric attribute `name` of `testId` is at least `min`. */
  const waitForAttr = (testId: string, name: string, min: number) =>
    page.waitForFunction(
      ([id, n, least]) => Number(document.querySelector(`[data-testid=${id}]`)?.getAttribute(n)) >= least,
      [testId, name, min] as const,
      { timeout: 60_000 },
    );

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: { DASHBOARD_TICK_MS: '500', SIMULATOR: 'false', EVENT_LOOP_DELAY_MS_THRESHOLD: '5000' },
    });
    server = await DashboardServer.start(() => api.port);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    await signIn(page, server.url, 'bob');
    await page.waitForURL('**/dashboard');
    token = (await login(api, 'bob')).accessToken;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.dispose();
  });

  it('picks a range, pauses and resumes the live updates', async () => {
    await page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('range-1h').click();
    // The click is handled on the page's next turn: wait for the pressed state, not a read at once.
    await page.locator('[data-testid="range-1h"][aria-pressed="true"]').waitFor();
    await page
      .getByTestId('chart-range')
      .filter({ hasText: /paused/ })
      .waitFor({ state: 'detached' });
    // The stored minute(s) of this API's life, then the live points on the same series.
    await waitForAttr('chart-orders', 'data-points', 1);
    const before = await attr('chart-orders', 'data-points');
    await waitForAttr('chart-orders', 'data-points', before + 1);

    await page.getByTestId('pause').click();
    const frozen = await attr('chart-orders', 'data-points');
    const seen = await events();
    // The stream keeps running underneath: events arrive, the chart holds still.
    await page
      .getByTestId('paused-note')
      .filter({ hasText: /[3-9]\d* update|\d{2,} update/ })
      .waitFor();
    expect(await events()).toBeGreaterThan(seen);
    expect(await attr('chart-orders', 'data-points')).toBe(frozen);
    await page.getByTestId('chart-range').filter({ hasText: 'paused' }).waitFor();

    await page.getByTestId('resume').click();
    // Resuming catches up at once with everything that arrived meanwhile.
    await waitForAttr('chart-orders', 'data-points', frozen + 3);
    await page.getByTestId('pause').waitFor();

    // The CSV of the visible range.
    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^dashboard-.*\.csv$/);
  });

  it('shows an alert as a toast and its annotation on the chart, and a posted annotation live', async () => {
    const markers = await attr('chart-orders', 'data-markers');
    const rule = await request(api, 'POST', '/api/alerts/rules', {
      token,
      body: {
        name: 'no orders (browser)',
        metric: 'ordersPerMinute',
        condition: 'below',
        threshold: 1,
        recipients: { users: ['bob'] },
      },
    });
    expect(rule.status).toBe(201);
    await page
      .getByTestId('toast')
      .filter({ hasText: 'Alert: no orders (browser)' })
      .waitFor({ timeout: 60_000 });
    await waitForAttr('chart-orders', 'data-markers', markers + 1);

    const posted = await request(api, 'POST', '/api/annotations', {
      token,
      body: { text: 'deployed v9', kind: 'deploy' },
    });
    expect(posted.status).toBe(201);
    await waitForAttr('chart-orders', 'data-markers', markers + 2);
    await page
      .getByTestId('chart-orders')
      .getByRole('img', { name: /Orders per minute/ })
      .waitFor();

    await screenshot(page, 'screenshot-history-alert.png');

    // The rules page lists it, firing, with its history.
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByTestId('rule').filter({ hasText: 'no orders (browser)' }).waitFor();
    await page.getByTestId('rule-state').filter({ hasText: 'firing' }).waitFor();
    await page.getByTestId('alert-history').filter({ hasText: 'Fired no orders (browser)' }).waitFor();
    await screenshot(page, 'screenshot-alert-rules.png', true);

    // Changed from the page: a threshold nothing goes below starts it over, quiet; then disabled.
    const row = page.getByTestId('rule').filter({ hasText: 'no orders (browser)' });
    await row.getByRole('button', { name: 'Change no orders (browser)' }).click();
    await page.getByRole('form', { name: 'Change rule no orders (browser)' }).waitFor();
    await page.getByTestId('rule-threshold').fill('0');
    await page.getByTestId('rule-create').click();
    await row.getByTestId('rule-state').filter({ hasText: /^ok$/ }).waitFor();
    await row.getByRole('button', { name: 'Disable no orders (browser)' }).click();
    await row.getByTestId('rule-state').filter({ hasText: 'disabled' }).waitFor();
    const stored = await request(api, 'GET', '/api/alerts/rules', { token });
    expect(stored.body.find((r: { id: number }) => r.id === rule.body.id)).toMatchObject({
      threshold: 0,
      enabled: false,
      state: 'ok',
    });

    // Enabled with its threshold back at 1 (still no orders): it fires again, and the page shows it
    // live, without being reloaded.
    await row.getByRole('button', { name: 'Change no orders (browser)' }).click();
    await page.getByTestId('rule-threshold').fill('1');
    await page.getByTestId('rule-create').click();
    await row.getByTestId('rule-state').filter({ hasText: 'disabled' }).waitFor();
    await row.getByRole('button', { name: 'Enable no orders (browser)' }).click();
    await row.getByTestId('rule-state').filter({ hasText: 'firing' }).waitFor({ timeout: 30_000 });
    await page
      .getByTestId('alert-history')
      .getByText('Fired no orders (browser)')
      .nth(1)
      .waitFor({ timeout: 30_000 });
  });
});
