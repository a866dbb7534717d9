import { join } from 'node:path';

import AxeBuilder from '@axe-core/playwright';
import { ApiProcess } from '@realtime/test-support';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { RESULTS_DIR, launchChromium, signIn } from './support/browser';
import { DashboardServer } from './support/dashboard-server';

const SIZES = {
  desktop: { width: 1440, height: 960 },
  phone: { width: 390, height: 844 },
} as const;
const THEMES = ['light', 'dark'] as const;

/** What each page shows once it is ready to be judged. */
const PAGES: Record<string, (page: Page) => Promise<unknown>> = {
  '/dashboard': (page) => page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor(),
  '/notifications': (page) => page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor(),
  '/chat': (page) => page.getByTestId('composer').waitFor(),
  '/alerts': (page) => page.getByTestId('rule-form').waitFor(),
  '/account': (page) => page.getByTestId('session-row').first().waitFor(),
  // alice is an admin.
  '/operations': (page) => page.getByTestId('instance-count').waitFor(),
  '/admin': (page) => page.getByTestId('user-row').first().waitFor(),
};

/** Serious and critical violations only, each with where it was found. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('accessibility (axe-core): every page, light and dark, desktop and phone', () => {
  let api: ApiProcess;
  let server: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    api = await ApiProcess.start({ env: { DASHBOARD_TICK_MS: '1000' } });
    server = await DashboardServer.start(() => api.port);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await api?.dispose();
  });

  for (const theme of THEMES)
    for (const [size, viewport] of Object.entries(SIZES))
      it(`${theme}, ${size}`, async () => {
        const context: BrowserContext = await browser.newContext({ viewport, colorScheme: theme });
        const page = await context.newPage();
        const found: Record<string, string[]> = {};
        const widths: Record<string, number> = {};
        try {
          await page.goto(`${server.url}/login`);
          // The first field has the focus on load.
          await page.waitForFunction(() => document.activeElement?.id === 'username');
          found['/login'] = await violations(page);

          await signIn(page, server.url, 'alice');
          await page.waitForURL('**/dashboard');
          for (const [path, ready] of Object.entries(PAGES)) {
            await page.goto(`${server.url}${path}`);
            await ready(page);
            found[path] = await violations(page);
            // Nothing wider than the screen: wide tables scroll inside their card (WCAG reflow).
            widths[path] = await page.evaluate(() => document.documentElement.scrollWidth);
            if (path === '/chat' && size === 'phone') {
              // The composer is on screen without scrolling.
              const box = await page.getByTestId('composer').boundingBox();
              expect(box && box.y + box.height).toBeLessThanOrEqual(viewport.height);
              await page.screenshot({ path: join(RESULTS_DIR, `chat-phone-${theme}.png`) });
            }
          }
          if (size === 'phone') {
            await page.goto(`${server.url}/dashboard`);
            await PAGES['/dashboard'](page);
            await page.screenshot({ path: join(RESULTS_DIR, `dashboard-phone-${theme}-top.png`) });
          }
        } finally {
          await context.close();
        }
        expect(found).toEqual({
          '/login': [],
          '/dashboard': [],
          '/notifications': [],
          '/chat': [],
          '/alerts': [],
          '/account': [],
          '/operations': [],
          '/admin': [],
        });
        expect(Object.entries(widths).filter(([, w]) => w > viewport.width)).toEqual([]);
      });
});
