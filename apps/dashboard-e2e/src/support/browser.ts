import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { type Browser, type Page, chromium } from 'playwright-core';

export const RESULTS_DIR = resolve(__dirname, '../../../../test-results/dashboard-e2e');

/** Debian's Chromium, headless, with the flags that work on these machines. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function signIn(page: Page, baseUrl: string, username = 'alice', password = 'demo-password') {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
