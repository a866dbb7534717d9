import { ApiProcess, login, request } from '@realtime/test-support';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchChromium, signIn } from './support/browser';
import { DashboardServer } from './support/dashboard-server';

/** The shortest access token the API accepts (JWT_TTL_S minimum), so renewals happen often. */
const TTL_S = 10;
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('accounts in the browser: renewal, tabs, admin page', () => {
  let api: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: { JWT_TTL_S: String(TTL_S), DASHBOARD_TICK_MS: '1000', HEARTBEAT_MS: '5000' },
    });
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
  });
  afterEach(async () => {
    await context.close();
  });

  const events = (page: Page) =>
    page.evaluate(() => Number(document.querySelector('[data-testid=updated]')?.getAttribute('data-events')));

  it(`stays signed in and live for three token lifetimes (${3 * TTL_S} s), with no gap in the chart`, async () => {
    const page = await context.newPage();
    await signIn(page, server.url, 'bob');
    await page.waitForURL('**/dashboard');
    await page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });
    const start = Date.now();
    const before = await events(page);
    // Ticks come every second: 3 lifetimes' worth of them, counted by the page itself.
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=updated]')?.getAttribute('data-events')) > n,
      before + 3 * TTL_S,
      { timeout: 120_000 },
    );
    expect(Date.now() - start).toBeGreaterThanOrEqual(3 * TTL_S * 1000 - 2000);
    expect(page.url()).toMatch(/\/dashboard$/);
    await page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor();
    for (const chart of ['chart-orders', 'chart-revenue', 'chart-users']) {
      expect(Number(await page.getByTestId(chart).getAttribute('data-gaps'))).toBe(0);
    }
    // REST calls still go through with the renewed token.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
    await page.getByTestId('unread-summary').waitFor();
    expect(page.url()).toMatch(/\/notifications$/);
  });

  it('a tab opened later is signed in; signing out in one tab signs the other out', async () => {
    const first = await context.newPage();
    await signIn(first, server.url, 'carol');
    await first.waitForURL('**/dashboard');
    const second = await context.newPage();
    await second.goto(`${server.url}/dashboard`);
    await second.getByTestId('current-user').getByText('carol').waitFor();
    expect(second.url()).toMatch(/\/dashboard$/);
    await first.getByTestId('logout').click();
    await first.waitForURL('**/login**');
    await second.waitForURL('**/login**', { timeout: 30_000 });
    // And the session is over on the server: a third tab is not signed in.
    const third = await context.newPage();
    await third.goto(`${server.url}/dashboard`);
    await third.waitForURL('**/login**');
  });

  it('the admin page creates a user who can then sign in with the role given', async () => {
    const admin = await context.newPage();
    await signIn(admin, server.url, 'alice');
    await admin.waitForURL('**/dashboard');
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.waitForURL('**/admin');
    await admin.getByTestId('new-username').fill('zoe');
    await admin.getByTestId('new-password').fill('zoe-password-1');
    await admin.getByTestId('new-role').selectOption('operator');
    await admin.getByTestId('create-user-submit').click();
    await admin.getByTestId('admin-result').filter({ hasText: 'Created zoe' }).waitFor();
    await admin.locator('[data-user=zoe]').waitFor();

    const other = await browser.newContext();
    try {
      const zoe = await other.newPage();
      await signIn(zoe, server.url, 'zoe', 'zoe-password-1');
      await zoe.waitForURL('**/dashboard');
      await zoe.getByTestId('current-user').getByText('zoe').waitFor();
      // An operator: no Admin link.
      expect(await zoe.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("the account page lists one's sessions, this browser marked, and signs another device out", async () => {
    // A user of this test alone, so the list holds exactly the two browsers below.
    const admin = await login(api, 'alice');
    const created = await request(api, 'POST', '/api/users', {
      token: admin.accessToken,
      body: { username: 'erin', password: 'erin-password-1', role: 'viewer' },
    });
    expect(created.status).toBe(201);

    const phoneContext = await browser.newContext({ userAgent: IPHONE });
    try {
      const phone = await phoneContext.newPage();
      await signIn(phone, server.url, 'erin', 'erin-password-1');
      await phone.waitForURL('**/dashboard');
      await phone.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });

      const laptop = await context.newPage();
      await signIn(laptop, server.url, 'erin', 'erin-password-1');
      await laptop.waitForURL('**/dashboard');
      await laptop.goto(`${server.url}/account`);
      const rows = laptop.getByTestId('session-row');
      await rows.nth(1).waitFor();
      expect(await rows.count()).toBe(2);
      const mine = rows.filter({ has: laptop.getByTestId('this-browser') });
      expect(await mine.textContent()).toContain('Headless Chrome on Linux');
      expect(await mine.getByTestId('revoke-session').count()).toBe(0);

      const other = rows.filter({ hasText: 'Safari on iOS' });
      await other.getByRole('button', { name: /^Sign out Safari on iOS/ }).click();
      await laptop.getByTestId('sessions-result').filter({ hasText: 'Signed out Safari on iOS' }).waitFor();
      expect(await rows.count()).toBe(1);
      // The phone is signed out without touching it: its stream ends and its renewal is refused.
      await phone.waitForURL('**/login**', { timeout: 60_000 });
      // This browser is not.
      await laptop.reload();
      await laptop.getByTestId('session-row').first().waitFor();
      expect(laptop.url()).toMatch(/\/account$/);
    } finally {
      await phoneContext.close();
    }
  });
});
