import { join } from 'node:path';

import { ApiProcess, login, request } from '@realtime/test-support';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { RESULTS_DIR, launchChromium, signIn } from './support/browser';
import { DashboardServer } from './support/dashboard-server';

/** A private room made and shared from the UI; unread counts in the nav on another page. */
describe('chat rooms', () => {
  let api: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const name = `Incident ${process.pid}`;
  const roomId = `incident-${process.pid}`;

  async function signedIn(username: string, path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, server.url, username);
    await page.waitForURL('**/dashboard');
    if (path !== '/dashboard') {
      await page.getByRole('link', { name: 'Chat' }).click();
      await page.waitForURL(`**${path}`);
      await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
    }
    return page;
  }

  async function send(page: Page, text: string) {
    const box = page.getByTestId('composer');
    await box.fill(text);
    await box.press('Enter');
    await page.getByTestId('chat-message').filter({ hasText: text }).waitFor();
  }

  beforeAll(async () => {
    // Unread increments every 200 ms instead of every second: the test waits less.
    api = await ApiProcess.start({ env: { SIMULATOR: 'false', CHAT_UNREAD_FLUSH_MS: '200' } });
    server = await DashboardServer.start(() => api.port);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.dispose();
  });

  it('alice creates a private room and adds bob; carol cannot see it; bob sees its unread count on the dashboard', async () => {
    // bob stays on the overview page: no chat socket there, only the notification stream.
    const bob = await signedIn('bob', '/dashboard');
    const alice = await signedIn('alice', '/chat');

    await alice.getByTestId('new-room-name').fill(name);
    expect(await alice.getByTestId('new-room-private').isChecked()).toBe(true);
    await alice.getByTestId('create-room-submit').click();
    await alice.getByTestId(`room-${roomId}`).filter({ hasText: name }).waitFor();
    expect(await alice.getByTestId(`room-${roomId}`).getAttribute('aria-current')).toBe('true');

    await alice.getByTestId('invite-username').fill('bob');
    await alice.getByTestId('invite-submit').click();
    await alice
      .getByTestId('room-action')
      .filter({ hasText: `bob was added to ${roomId}` })
      .waitFor();
    // An unknown user is refused with the server's reason.
    await alice.getByTestId('invite-username').fill('nobody-at-all');
    await alice.getByTestId('invite-submit').click();
    await alice.getByTestId('room-action').filter({ hasText: 'nobody-at-all' }).waitFor();

    // carol, an outsider: neither among her rooms nor among those offered to join.
    const carol = await signedIn('carol', '/chat');
    await carol.getByTestId('room-general').waitFor();
    expect(await carol.getByTestId(`room-${roomId}`).count()).toBe(0);
    expect(await carol.getByTestId(`join-${roomId}`).count()).toBe(0);
    const carolToken = (await login(api, 'carol')).accessToken;
    const listed = await request(api, 'GET', '/api/chat/rooms?limit=100', { token: carolToken });
    expect(listed.body.rooms.map((r: { id: string }) => r.id)).not.toContain(roomId);

    await send(alice, 'Database failover at 14:00');
    const badge = bob.getByTestId('chat-unread');
    await badge.filter({ hasText: /^1$/ }).waitFor();
    await bob.getByTestId(`chat-unread-${roomId}`).filter({ hasText: '1' }).waitFor();
    await send(alice, 'Everyone on the bridge please');
    await badge.filter({ hasText: /^2$/ }).waitFor();
    expect(bob.url()).toContain('/dashboard');
    await bob.screenshot({ path: join(RESULTS_DIR, 'chat-unread-nav.png') });

    // bob opens the room: read, and the badge goes away.
    await bob.getByTestId(`chat-unread-${roomId}`).click();
    await bob.waitForURL('**/chat');
    await bob.getByTestId(`room-${roomId}`).click();
    await bob.getByTestId('chat-message').filter({ hasText: 'Everyone on the bridge' }).waitFor();
    await badge.waitFor({ state: 'detached' });
    await alice.screenshot({ path: join(RESULTS_DIR, 'chat-private-room.png') });
  });
});
