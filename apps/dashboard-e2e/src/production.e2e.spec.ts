import { ApiProcess, TEST_JWT_SECRET } from '@realtime/test-support';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';

import { launchChromium, signIn } from './support/browser';
import { DASHBOARD_DIST } from './support/dashboard-server';

/**
 * `npm run start:prod` as a user runs it: one process (NODE_ENV=production) serving the built
 * dashboard, the API and socket.io on one port, under the strict nonce-based CSP. The page must
 * work with it: live metrics over SSE, chat over socket.io, and not one CSP violation.
 */
describe('production: one process serves the dashboard under a strict CSP', () => {
  let api: ApiProcess;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    api = await ApiProcess.start({
      env: {
        NODE_ENV: 'production',
        JWT_SECRET: TEST_JWT_SECRET,
        DEMO: 'true',
        SIMULATOR: 'true',
        DASHBOARD_TICK_MS: '1000',
        DASHBOARD_DIR: DASHBOARD_DIST,
      },
    });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error' && /Content.Security.Policy|CSP/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    // Violations are reported to the page as events too (some never reach the console).
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
      ),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await api?.dispose();
  });

  it('serves the page with a fresh nonce in a strict policy', async () => {
    const first = await fetch(`${api.baseUrl}/`);
    const second = await fetch(`${api.baseUrl}/chat`);
    const policy = first.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self' 'nonce-[^']+'(;|$)/);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(second.headers.get('content-security-policy')).not.toBe(policy);
    const nonce = /'nonce-([^']+)'/.exec(policy)![1];
    const html = await first.text();
    // The build writes the attribute in lower case; Angular reads either.
    expect(html).toContain(`ngcspnonce="${nonce}"`);
    expect(html).toContain(`<script src="main-`);
    expect(html).toMatch(new RegExp(`type="module" nonce="${nonce.replace(/[+/=]/g, '\\$&')}"`));
    expect(html).not.toContain('rt-csp-nonce');
  });

  it('signs in, shows live metrics and chats with no CSP violation', async () => {
    await page.goto(`${api.baseUrl}/`);
    await page.waitForURL('**/login?returnUrl=%2Fdashboard');
    await signIn(page, api.baseUrl, 'alice');
    await page.waitForURL('**/dashboard');
    await page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=updated]')?.getAttribute('data-events')) > 1,
    );
    await page.getByTestId('chart-orders').waitFor();

    await page.getByRole('link', { name: 'Chat' }).click();
    await page.waitForURL('**/chat');
    await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
    const box = page.getByTestId('composer');
    await box.fill('served by one process');
    await box.press('Enter');
    await page.getByTestId('chat-message').filter({ hasText: 'served by one process' }).waitFor();

    // A deep link is answered by the SPA fallback and still works after a reload.
    await page.reload();
    await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor();
    expect(problems).toEqual([]);
  });
});
