import { ApiProcess, TEST_JWT_SECRET } from '@realtime/test-support';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchChromium, signIn } from './support/browser';
import { DASHBOARD_DIST, DashboardServer } from './support/dashboard-server';

/**
 * Through the proxy that stands in for the dev server, from the production server, and through the
 * proxy in a browser without Web Locks (as on plain HTTP to a host other than localhost, which is no
 * secure context), where the tabs elect with a BroadcastChannel heartbeat instead.
 */
type Serving = 'dev proxy' | 'production' | 'no Web Locks';

/**
 * Ten tabs of one signed-in user in one browser, over HTTP/1.1 (the test server speaks nothing
 * else), where Chromium allows six connections per host: with a stream or two per tab the fourth
 * tab would never load. One tab holds the streams and relays them to the others.
 */
describe.each<Serving>(['dev proxy', 'production', 'no Web Locks'])('any number of tabs (%s)', (serving) => {
  const TABS = 10;
  let api: ApiProcess;
  /** The dev server's stand-in (a proxy in front of the API); none in production. */
  let server: DashboardServer | undefined;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let tabs: Page[];
  let aliceToken: string;
  let bobId: number;
  let sent = 0;

  /** How long a tab may take to show something: long, as ten tabs share two cores with other suites. */
  const WAIT_MS = 60_000;
  const live = (page: Page) =>
    page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor({ timeout: WAIT_MS });
  const events = async (page: Page) => Number(await page.getByTestId('updated').getAttribute('data-events'));
  const moreEvents = async (page: Page) =>
    page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=updated]')?.getAttribute('data-events')) > n,
      await events(page),
      { timeout: WAIT_MS },
    );
  const badge = (page: Page, count: number) =>
    page
      .getByTestId('notification-badge')
      .filter({ hasText: new RegExp(`^${count}$`) })
      .waitFor({ timeout: WAIT_MS });
  const item = (page: Page, title: string) => page.getByTestId('notification').filter({ hasText: title });

  const onPage = (path: string) => tabs.filter((t) => t.url().endsWith(path));

  /** The one tab that holds the streams (the shell says so), once there is exactly one. */
  async function holder(): Promise<Page> {
    let found: Page[] = [];
    await until('one tab to hold the streams', async () => {
      found = [];
      for (const page of tabs)
        if ((await page.locator('rt-shell').getAttribute('data-holds-streams')) === 'true') found.push(page);
      return found.length === 1;
    });
    return found[0];
  }

  /** Waits for a condition on the server side (polled, like Playwright's own waits). */
  async function until(what: string, ok: () => Promise<boolean>, timeoutMs = WAIT_MS) {
    const deadline = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** What the API counts open right now, by kind (`dashboard`, `notifications`, `chat`). */
  async function openConnections(): Promise<Record<string, number>> {
    const res = await fetch(`${api.baseUrl}/api/dashboard/connections`, {
      headers: { authorization: `Bearer ${aliceToken}` },
    });
    return ((await res.json()) as { connections: Record<string, number> }).connections;
  }

  async function login(username: string) {
    const res = await fetch(`${api.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'demo-password' }),
    });
    return (await res.json()) as { accessToken: string; user: { id: number } };
  }

  /** alice notifies bob through the API; returns the title. */
  async function notifyBob(): Promise<string> {
    const title = `Tab test ${++sent}`;
    const res = await fetch(`${api.baseUrl}/api/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${aliceToken}` },
      body: JSON.stringify({ userId: bobId, title, message: `number ${sent}` }),
    });
    expect(res.status).toBe(201);
    return title;
  }

  beforeAll(async () => {
    const env = { DASHBOARD_TICK_MS: '1000', HEARTBEAT_MS: '5000' };
    if (serving === 'production') {
      api = await ApiProcess.start({
        env: {
          ...env,
          NODE_ENV: 'production',
          JWT_SECRET: TEST_JWT_SECRET,
          DEMO: 'true',
          SIMULATOR: 'true',
          DASHBOARD_DIR: DASHBOARD_DIST,
        },
      });
      baseUrl = api.baseUrl;
    } else {
      api = await ApiProcess.start({ env });
      server = await DashboardServer.start(() => api.port);
      baseUrl = server.url;
    }
    aliceToken = (await login('alice')).accessToken;
    bobId = (await login('bob')).user.id;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    if (serving === 'no Web Locks')
      await context.addInitScript(() =>
        Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true }),
      );
    const first = await context.newPage();
    await signIn(first, baseUrl, 'bob');
    await first.waitForURL('**/dashboard');
    await live(first);
    // The session lives per tab (sessionStorage); a duplicated tab carries it over, as here.
    const session = await first.evaluate(() => sessionStorage.getItem('rt.session'));
    await context.addInitScript((s) => {
      if (s && !sessionStorage.getItem('rt.session')) sessionStorage.setItem('rt.session', s);
    }, session);
    tabs = [first];
    for (let i = 1; i < TABS; i++) {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/dashboard`);
      tabs.push(page);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.dispose();
  });

  it('all ten tabs show live metrics over one stream for the browser', async () => {
    for (const page of tabs) {
      await live(page);
      await moreEvents(page);
    }
    // bob's browser, and nobody else (alice only used the API).
    expect(await openConnections()).toMatchObject({ dashboard: 1, notifications: 1 });
    if (server) expect(server.traffic.streamsOpen).toBe(1);
  });

  it('all ten tabs show the same notifications', async () => {
    const titles = [await notifyBob(), await notifyBob()];
    for (const page of tabs) await badge(page, 2);
    // Half of the tabs open the centre; each lists both, once.
    for (const page of tabs.slice(TABS / 2)) {
      await page.getByTestId('notification-bell').click();
      await page.waitForURL('**/notifications');
      for (const title of titles) await item(page, title).waitFor();
      expect(await page.getByTestId('notification').count()).toBe(2);
    }
  });

  it('closing the tab that holds the streams leaves the others live: nothing missed, nothing twice', async () => {
    const before = server?.traffic.streamUrls.length ?? 0;
    const leader = await holder();
    tabs.splice(tabs.indexOf(leader), 1);
    const titles = [await notifyBob()];
    await leader.close();
    // Sent while the lead changes hands, and after.
    titles.push(await notifyBob());
    if (server) {
      const proxy = server;
      await until('another tab to open the streams again, resuming', async () =>
        proxy.traffic.streamUrls.slice(before).some((u) => /[?&]lastEventId=/.test(u)),
      );
    }
    titles.push(await notifyBob());

    for (const page of tabs) {
      await badge(page, 5);
      await live(page);
    }
    for (const page of onPage('/dashboard')) await moreEvents(page);
    for (const page of onPage('/notifications')) {
      for (const title of titles) await item(page, title).waitFor();
      expect(await page.getByTestId('notification').count()).toBe(5);
    }
    // The closed tab's streams are gone (the API notices when their sockets close).
    await until('one stream of each kind', async () => {
      const c = await openConnections();
      return c['dashboard'] === 1 && c['notifications'] === 1;
    });
    if (server) expect(server.traffic.streamsOpen).toBe(1);
  });

  it('a notification read in one tab is read in all', async () => {
    const reader = tabs[tabs.length - 1];
    await item(reader, 'Tab test 1').getByTestId('mark-read').click();
    for (const page of tabs) await badge(page, 4);
    await reader.getByTestId('mark-all-read').click();
    for (const page of tabs) await page.getByTestId('notification-badge').waitFor({ state: 'detached' });
  });

  it('a tab that freezes while holding the streams hands them over at once, and catches up when it wakes', async () => {
    // The shell marks the tab that holds the streams.
    const leader = await holder();
    const others = tabs.filter((t) => t !== leader);
    const before = server?.traffic.streamUrls.length ?? 0;
    // What the page hears when Chrome freezes it (CDP's Page.setWebLifecycleState leaves a page
    // that holds a Web Lock running, as Chrome's own freezing does: the event is what we handle).
    await leader.evaluate(() => document.dispatchEvent(new Event('freeze')));
    const title = await notifyBob();
    for (const page of others) {
      await badge(page, 1);
      await live(page);
    }
    for (const page of onPage('/notifications')) if (page !== leader) await item(page, title).waitFor();
    if (server)
      expect(server.traffic.streamUrls.slice(before).some((u) => /[?&]lastEventId=/.test(u))).toBe(true);
    await until('one stream of each kind', async () => {
      const c = await openConnections();
      return c['dashboard'] === 1 && c['notifications'] === 1;
    });

    await leader.evaluate(() => document.dispatchEvent(new Event('resume')));
    await badge(leader, 1);
    await live(leader);
    expect(await holder()).not.toBe(leader);
  });
});
