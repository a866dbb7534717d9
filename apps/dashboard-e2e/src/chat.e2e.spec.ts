import { join } from 'node:path';

import { ApiProcess } from '@realtime/test-support';
import type { Browser, BrowserContext, Page, WebSocket } from 'playwright-core';

import { RESULTS_DIR, launchChromium, signIn } from './support/browser';
import { DashboardServer } from './support/dashboard-server';

/** A short reconnect base: five attempts span ~15 s, longer than an API restart. */
const BACKOFF_BASE_MS = 500;

describe('chat', () => {
  let api: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;
  let aliceContext: BrowserContext;
  let bobContext: BrowserContext;
  let alice: Page;
  let bob: Page;
  /** The chat WebSockets of each page, newest last. */
  const sockets = new Map<Page, WebSocket[]>();

  const message = (page: Page, text: string) => page.getByTestId('chat-message').filter({ hasText: text });
  const status = (page: Page, text: string) =>
    page.getByTestId('connection-status').filter({ hasText: text }).waitFor();

  async function openChat(context: BrowserContext, username: string): Promise<Page> {
    const page = await context.newPage();
    sockets.set(page, []);
    page.on('websocket', (ws) => sockets.get(page)?.push(ws));
    await page.goto(`${server.url}/login?backoffBaseMs=${BACKOFF_BASE_MS}`);
    await signIn(page, server.url, username);
    await page.waitForURL('**/dashboard');
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.waitForURL('**/chat');
    await status(page, 'Connected');
    return page;
  }

  async function send(page: Page, text: string) {
    const box = page.getByTestId('composer');
    await box.fill(text);
    await box.press('Enter');
  }

  beforeAll(async () => {
    api = await ApiProcess.start();
    server = await DashboardServer.start(() => api.port);
    browser = await launchChromium();
    aliceContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    bobContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    alice = await openChat(aliceContext, 'alice');
    bob = await openChat(bobContext, 'bob');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.dispose();
  });

  it('alice and bob chat, with sender and presence on both sides', async () => {
    await send(alice, 'Hi bob, the EU orders look slow');
    await message(bob, 'Hi bob, the EU orders look slow')
      .getByTestId('sender')
      .filter({ hasText: 'alice' })
      .waitFor();
    await send(bob, 'On it.\nChecking the queue now');
    await message(alice, 'Checking the queue now').waitFor();
    // Shift+Enter made a new line inside one message.
    expect(await message(alice, 'On it.').getByTestId('content').innerText()).toBe(
      'On it.\nChecking the queue now',
    );
    await alice.getByTestId('member').filter({ hasText: 'bob' }).filter({ hasText: 'online' }).waitFor();
    await bob.getByTestId('member').filter({ hasText: 'alice' }).filter({ hasText: 'online' }).waitFor();
  });

  it('renders user text as text', async () => {
    await send(bob, '<b>bold?</b> <img src=x onerror="document.title=1">');
    const content = message(alice, '<b>bold?</b>').getByTestId('content');
    await content.waitFor();
    expect(await content.locator('b, img').count()).toBe(0);
  });

  it('shows typing on the other side, and stops it when the message is sent', async () => {
    await alice.getByTestId('composer').pressSequentially('typing a long');
    await bob.getByTestId('typing').filter({ hasText: 'alice is typing…' }).waitFor();
    await alice.getByTestId('composer').press('Enter');
    await message(bob, 'typing a long').waitFor();
    await bob.getByTestId('typing').filter({ hasText: /^$/ }).waitFor();
  });

  it('counts unread messages in other rooms', async () => {
    await bob.getByTestId('room-ops').click();
    await send(bob, 'ops: deploy at 5');
    await alice.getByTestId('room-ops').getByTestId('unread').filter({ hasText: '1' }).waitFor();
    await alice.getByTestId('room-ops').click();
    await message(alice, 'ops: deploy at 5').waitFor();
    expect(await alice.getByTestId('room-ops').getByTestId('unread').count()).toBe(0);
    await alice.getByTestId('room-general').click();
    await bob.getByTestId('room-general').click();
  });

  it('queues messages while offline and delivers them once, in order, when back', async () => {
    const socket = sockets.get(alice)?.at(-1);
    expect(socket?.url()).toContain('/socket.io/');
    await aliceContext.setOffline(true);
    await status(alice, 'Offline');
    // Whether or not Chromium cuts an open WebSocket, the page's `offline` handler closes it: the
    // messages below can only travel through the outbox.
    if (!socket?.isClosed()) await socket?.waitForEvent('close');
    await bob.getByTestId('member').filter({ hasText: 'alice' }).filter({ hasText: 'offline' }).waitFor();

    const texts = ['queued one', 'queued two', 'queued three'];
    for (const t of texts) await send(alice, t);
    await alice.getByTestId('outbox-count').filter({ hasText: '3 in outbox' }).waitFor();
    expect(
      await alice.getByTestId('outbox-entry').filter({ hasText: 'Waiting for connection' }).count(),
    ).toBe(3);
    await alice.screenshot({ path: join(RESULTS_DIR, 'chat-offline-outbox.png') });
    expect(await message(bob, 'queued one').count()).toBe(0);

    await aliceContext.setOffline(false);
    await status(alice, 'Connected');
    await alice.getByTestId('outbox-count').waitFor({ state: 'detached' });
    await message(bob, 'queued three').waitFor();
    for (const page of [alice, bob]) {
      const lines = await page.getByTestId('chat-message').getByTestId('content').allInnerTexts();
      expect(lines.filter((l) => l.startsWith('queued '))).toEqual(texts);
    }
    // Stored once each: a fresh load of the history has them once, in order.
    await bob.reload();
    await status(bob, 'Connected');
    await message(bob, 'queued three').waitFor();
    const history = await bob.getByTestId('chat-message').getByTestId('content').allInnerTexts();
    expect(history.filter((l) => l.startsWith('queued '))).toEqual(texts);
  });

  it('after an API restart both re-join their rooms and what was written meanwhile, kept across a reload, arrives once', async () => {
    await api.stop();
    await status(alice, 'Reconnecting');
    await status(bob, 'Reconnecting');
    await send(alice, 'written while the server restarts');
    await alice.getByTestId('outbox-entry').filter({ hasText: 'Waiting for connection' }).waitFor();
    await alice.screenshot({ path: join(RESULTS_DIR, 'chat-reconnecting.png') });
    // The outbox survives a reload (the static files are still served; the API is not).
    await alice.reload();
    await alice
      .getByTestId('outbox-entry')
      .filter({ hasText: 'written while the server restarts' })
      .filter({ hasText: 'Waiting for connection' })
      .waitFor();

    await api.restart();
    await status(alice, 'Connected');
    await status(bob, 'Connected');
    // bob receives it live, which he only does after re-joining #general.
    await message(bob, 'written while the server restarts').waitFor();
    await alice.getByTestId('outbox-count').waitFor({ state: 'detached' });
    await send(bob, 'welcome back');
    await message(alice, 'welcome back').waitFor();
    for (const page of [alice, bob])
      expect(await message(page, 'written while the server restarts').count()).toBe(1);
  });

  it('saves light and dark screenshots', async () => {
    await alice.getByTestId('composer').fill('');
    await bob.getByTestId('composer').pressSequentially('lgtm');
    await alice.getByTestId('typing').filter({ hasText: 'bob is typing…' }).waitFor();
    await alice.emulateMedia({ colorScheme: 'light' });
    await alice.screenshot({ path: join(RESULTS_DIR, 'chat-light.png') });
    await alice.emulateMedia({ colorScheme: 'dark' });
    await alice.screenshot({ path: join(RESULTS_DIR, 'chat-dark.png') });
    await alice.setViewportSize({ width: 390, height: 844 });
    await alice.screenshot({ path: join(RESULTS_DIR, 'chat-phone-dark.png') });
    await alice.emulateMedia({ colorScheme: 'light' });
    await alice.setViewportSize({ width: 1280, height: 800 });
  });
});
