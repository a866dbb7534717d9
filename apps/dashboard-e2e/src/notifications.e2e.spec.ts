import { join } from 'node:path';

import { ApiProcess } from '@realtime/test-support';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { RESULTS_DIR, launchChromium, signIn } from './support/browser';
import { DashboardServer } from './support/dashboard-server';

describe('notification centre', () => {
  let api: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;
  let aliceContext: BrowserContext;
  let bobContext: BrowserContext;
  let alice: Page;
  let bob1: Page;
  let bob2: Page;

  const item = (page: Page, title: string) => page.getByTestId('notification').filter({ hasText: title });
  const badge = (page: Page, text: string) =>
    page
      .getByTestId('notification-badge')
      .filter({ hasText: new RegExp(`^${text}$`) })
      .waitFor();
  const live = (page: Page) => page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor();

  async function send(title: string, message: string, type = 'info') {
    await alice.getByTestId('send-to').fill('bob');
    await alice.getByTestId('send-type').selectOption(type);
    await alice.getByTestId('send-title').fill(title);
    await alice.getByTestId('send-message').fill(message);
    await alice.getByTestId('send').click();
    await alice.getByTestId('send-result').filter({ hasText: 'Sent to bob' }).waitFor();
  }

  beforeAll(async () => {
    api = await ApiProcess.start();
    server = await DashboardServer.start(() => api.port);
    browser = await launchChromium();
    aliceContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    bobContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    alice = await aliceContext.newPage();
    await signIn(alice, server.url, 'alice');
    await alice.waitForURL('**/dashboard');
    await alice.getByTestId('notification-bell').click();
    await alice.waitForURL('**/notifications');
    await live(alice);

    bob1 = await bobContext.newPage();
    await signIn(bob1, server.url, 'bob');
    await bob1.waitForURL('**/dashboard');
    await bob1.goto(`${server.url}/notifications`);
    await live(bob1);
    // A second tab of bob's: already signed in through the session the browser shares (issue 12).
    bob2 = await bobContext.newPage();
    await bob2.goto(`${server.url}/notifications`);
    await live(bob2);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.dispose();
  });

  it('alice notifies bob: his badge, list and a toast update live in both tabs', async () => {
    expect(await bob1.getByTestId('notification-badge').count()).toBe(0);
    await send('Deploy finished', 'v2.4 is live in eu-west', 'success');
    for (const bob of [bob1, bob2]) {
      await badge(bob, '1');
      await item(bob, 'Deploy finished').filter({ hasText: 'v2.4 is live in eu-west' }).waitFor();
      await item(bob, 'Deploy finished')
        .locator('time')
        .filter({ hasText: /just now|s ago/ })
        .waitFor();
    }
    await bob1.getByTestId('toast').filter({ hasText: 'Deploy finished' }).waitFor();
    // Not to alice.
    expect(await alice.getByTestId('notification').count()).toBe(0);
  });

  it('marking read in one tab updates the other', async () => {
    await send('Disk 85% on db-2', 'Consider cleaning up old WAL files', 'warning');
    await badge(bob2, '2');
    await item(bob1, 'Disk 85% on db-2').getByTestId('mark-read').click();
    await badge(bob2, '1');
    await item(bob2, 'Disk 85% on db-2').and(bob2.locator('[data-read=true]')).waitFor();
    await badge(bob1, '1');
  });

  it('mark all read and delete reach the other tab too', async () => {
    await send('Payment provider degraded', 'Card payments retrying', 'error');
    await send('<script>alert(1)</script>', 'user text stays text');
    await badge(bob1, '3');
    await bob2.getByTestId('mark-all-read').click();
    await bob1.getByTestId('notification-badge').waitFor({ state: 'detached' });
    await bob1.getByTestId('unread-summary').filter({ hasText: 'All caught up' }).waitFor();
    expect(await item(bob1, '<script>alert(1)</script>').getByTestId('title').innerText()).toBe(
      '<script>alert(1)</script>',
    );

    await item(bob1, 'Payment provider degraded').getByTestId('delete').click();
    await item(bob2, 'Payment provider degraded').waitFor({ state: 'detached' });
    expect(await bob2.getByTestId('notification').count()).toBe(3);
  });

  it('a tab that was offline catches up when it is back', async () => {
    await bobContext.setOffline(true);
    await bob1.getByTestId('connection-status').filter({ hasText: 'Offline' }).waitFor();
    await send('Sent while bob was offline', 'and delivered when he is back');
    await bobContext.setOffline(false);
    for (const bob of [bob1, bob2]) {
      await live(bob);
      await item(bob, 'Sent while bob was offline').waitFor();
      expect(await item(bob, 'Sent while bob was offline').count()).toBe(1);
    }
  });

  it('shows a desktop notification after opting in, while the tab is hidden', async () => {
    const page = await bobContext.newPage();
    // The page sees a hidden tab and a Notification API that records what it is asked to show.
    await page.addInitScript(() => {
      const shown: { title: string; body?: string }[] = [];
      class RecordingNotification {
        static permission: NotificationPermission = 'default';
        static async requestPermission(): Promise<NotificationPermission> {
          RecordingNotification.permission = 'granted';
          return 'granted';
        }
        constructor(title: string, options?: NotificationOptions) {
          shown.push({ title, body: options?.body });
        }
      }
      Object.assign(window, { Notification: RecordingNotification, shownNotifications: shown });
      Object.defineProperty(document, 'hidden', { get: () => true });
    });
    // bob's browser is signed in already (one session for every tab).
    await page.goto(`${server.url}/dashboard`);
    await page.waitForURL('**/dashboard');
    await page.goto(`${server.url}/notifications`);
    await live(page);
    await page.getByTestId('desktop-on').click();
    await page.getByTestId('desktop-off').waitFor();
    await send('On call: page acknowledged', 'carol is on it');
    await page.waitForFunction(() =>
      (window as unknown as { shownNotifications: { title: string }[] }).shownNotifications.some(
        (n) => n.title === 'On call: page acknowledged',
      ),
    );
    await page.close();
  });

  it('saves light and dark screenshots', async () => {
    await send('Weekly report ready', 'Revenue up 12% week over week');
    await bob1.getByTestId('toast').filter({ hasText: 'Weekly report ready' }).waitFor();
    await bob1.emulateMedia({ colorScheme: 'light' });
    await bob1.screenshot({ path: join(RESULTS_DIR, 'notifications-light.png') });
    await bob1.emulateMedia({ colorScheme: 'dark' });
    await bob1.screenshot({ path: join(RESULTS_DIR, 'notifications-dark.png') });
    await bob1.setViewportSize({ width: 390, height: 844 });
    await bob1.screenshot({ path: join(RESULTS_DIR, 'notifications-phone-dark.png'), fullPage: true });
  });
});
