import { join } from 'node:path';

import { ApiProcess } from '@realtime/test-support';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { RESULTS_DIR, launchChromium, signIn } from './support/browser';
import { DashboardServer } from './support/dashboard-server';

describe('dashboard shell', () => {
  let api: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    api = await ApiProcess.start();
    server = await DashboardServer.start(() => api.port);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.dispose();
  });

  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  it('signs alice in and shows the shell with navigation, her name and sign-out', async () => {
    await page.goto(server.url);
    await page.waitForURL('**/login?returnUrl=%2Fdashboard');
    await signIn(page, server.url, 'alice');
    await page.waitForURL('**/dashboard');
    await page.getByTestId('current-user').getByText('alice').waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Dashboard', 'Notifications', 'Chat'])
      await nav.getByRole('link', { name }).waitFor();
    expect(await nav.getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current')).toBe('page');

    await nav.getByRole('link', { name: 'Notifications' }).click();
    await page.waitForURL('**/notifications');
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();

    // Theme: system → light → dark, remembered across a reload.
    const toggle = page.getByTestId('theme-toggle');
    await toggle.click();
    await page.locator('html[data-theme=light]').waitFor({ state: 'attached' });
    await toggle.click();
    await page.locator('html[data-theme=dark]').waitFor({ state: 'attached' });

    // A reload keeps the session (sessionStorage) until the token expires.
    await page.reload();
    await page.getByTestId('current-user').getByText('alice').waitFor();
    expect(new URL(page.url()).pathname).toBe('/notifications');
    await page.locator('html[data-theme=dark]').waitFor({ state: 'attached' });

    await page.getByTestId('logout').click();
    await page.waitForURL('**/login');
    await page.getByTestId('login-notice').getByText('You have signed out.').waitFor();
    await page.goto(`${server.url}/chat`);
    await page.waitForURL('**/login?returnUrl=%2Fchat');
  });

  it('says so when the password is wrong', async () => {
    await signIn(page, server.url, 'alice', 'not-the-password');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('Wrong username or password.');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.screenshot({ path: join(RESULTS_DIR, 'login-wrong-password.png') });
  });

  it('says so when the server cannot be reached', async () => {
    const down = await DashboardServer.start(() => 1);
    try {
      await signIn(page, down.url, 'alice');
      const error = page.getByTestId('login-error');
      await error.waitFor();
      expect(await error.textContent()).toContain("Can't reach the server");
    } finally {
      await down.stop();
    }
  });
});
