// bundle: the dashboard's production build (`nx build dashboard`, skipped with --no-build when
// dist/ has one), the gzip size of the initial JS (the <script> and modulepreload files of
// index.html), and in Chromium the time from navigation to the first metric value on screen,
// signed in, with the HTTP cache off (--runs times; the median is reported).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

import { Api } from '../lib/api.mjs';
import { round } from '../lib/histogram.mjs';
import { loadAverage } from '../lib/machine.mjs';
import { ROOT } from '../lib/paths.mjs';
import { printTable, reportHead, svgChart, writeResults } from '../lib/report.mjs';
import { startStaticProxy } from '../lib/static-proxy.mjs';

export const defaults = {
  build: true,
  dist: 'dist/apps/dashboard/browser',
  runs: 5,
  selector: 'rt-metric-card .value:not(.placeholder)',
  waitMs: 20_000,
  browser: true,
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
};

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The files index.html loads before anything lazy: module scripts and modulepreloads. */
export function initialFiles(dist) {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const js = new Set();
  for (const m of html.matchAll(/<script[^>]*\ssrc="([^"]+\.js)"/g)) js.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)) js.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*href="([^"]+\.js)"[^>]*rel="modulepreload"/g)) js.add(m[1]);
  const css = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+\.css)"/g)].map((m) => m[1]);
  return { js: [...js], css };
}

function sizes(dist, files) {
  return files.map((f) => {
    const buf = readFileSync(join(dist, f.replace(/^\//, '')));
    return { file: f, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  });
}

async function firstMetrics(o, dist) {
  const { chromium } = await import('playwright-core');
  const api = await new Api({ env: { DASHBOARD_TICK_MS: '1000' } }).start();
  const proxy = await startStaticProxy(dist, api.port);
  const browser = await chromium.launch({ executablePath: o.chromium, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    // Records when the selector first matches, in the page's own clock (0 = navigation start).
    await page.addInitScript((selector) => {
      const check = () => {
        if (window.__firstMetricsAt === undefined && document.querySelector(selector)) {
          window.__firstMetricsAt = performance.now();
        }
      };
      new MutationObserver(check).observe(document, {
        childList: true,
        subtree: true,
        characterData: true,
        attributes: true,
      });
    }, o.selector);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const loginStarted = Date.now();
    await page.goto(`${proxy.url}/login`);
    const signIn = page.getByLabel('Username');
    if (!(await signIn.count().catch(() => 0)))
      await signIn.waitFor({ timeout: 5000 }).catch(() => undefined);
    if (!(await signIn.count())) {
      return {
        note: 'no sign-in form in this build (the dashboard UI is not merged yet): no metrics to wait for',
        runs: [],
      };
    }
    await signIn.fill('alice');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForSelector(o.selector, { timeout: o.waitMs });
    const loginToMetricsMs = Date.now() - loginStarted;
    const runs = [];
    for (let i = 0; i < o.runs; i++) {
      await page.goto(`${proxy.url}/dashboard`);
      await page.waitForFunction(() => window.__firstMetricsAt !== undefined, null, { timeout: o.waitMs });
      const t = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return {
          firstMetrics: window.__firstMetricsAt,
          domContentLoaded: nav?.domContentLoadedEventEnd,
          load: nav?.loadEventEnd,
        };
      });
      runs.push(t);
    }
    return { loginToMetricsMs, runs };
  } finally {
    await browser.close();
    await proxy.stop();
    await api.dispose();
  }
}

const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};

export async function run(o) {
  const report = reportHead('bundle', o);
  const dist = resolve(ROOT, o.dist);
  let buildSeconds = null;
  if (o.build || !existsSync(join(dist, 'index.html'))) {
    console.log('bundle: nx build dashboard…');
    const started = Date.now();
    const r = spawnSync('npx', ['nx', 'build', 'dashboard', '--skip-nx-cache', '--output-style=static'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    if (r.status !== 0) throw new Error('nx build dashboard failed');
    buildSeconds = round((Date.now() - started) / 1000);
  }
  const { js, css } = initialFiles(dist);
  const initialJs = sizes(dist, js);
  const initialCss = sizes(dist, css);
  const allJs = readdirSync(dist).filter((f) => f.endsWith('.js'));
  const lazyJs = sizes(
    dist,
    allJs.filter((f) => !js.includes(f) && !js.includes(`/${f}`)),
  );
  const sum = (xs, k) => xs.reduce((a, x) => a + x[k], 0);
  const browser = o.browser ? await firstMetrics(o, dist) : { note: '--no-browser', runs: [] };
  const metricsMs = median(browser.runs.map((r) => r.firstMetrics));
  report.summary = {
    buildSeconds,
    initialJsBytes: sum(initialJs, 'bytes'),
    initialJsGzipKb: round(sum(initialJs, 'gzip') / 1024, 1),
    initialCssGzipKb: round(sum(initialCss, 'gzip') / 1024, 1),
    lazyJsGzipKb: round(sum(lazyJs, 'gzip') / 1024, 1),
    navigationToFirstMetricsMs: round(metricsMs),
    domContentLoadedMs: round(median(browser.runs.map((r) => r.domContentLoaded))),
    loginToFirstMetricsMs: browser.loginToMetricsMs ?? null,
    note: browser.note ?? null,
  };
  report.files = { initialJs, initialCss, lazyJs };
  report.runs = browser.runs;
  report.targets = { initialJsGzipKb: 250 };
  report.loadAverageAfter = loadAverage();
  printTable(
    'bundle: dashboard production build',
    ['', 'measured', 'target'],
    [
      ['initial JS files', initialJs.length, null],
      ['initial JS (KB, raw)', round(report.summary.initialJsBytes / 1024), null],
      ['initial JS (KB, gzip -9)', report.summary.initialJsGzipKb, '< 250'],
      ['initial CSS (KB, gzip -9)', report.summary.initialCssGzipKb, null],
      ['lazy JS (KB, gzip -9)', report.summary.lazyJsGzipKb, null],
      ['navigation → first metrics, median (ms)', report.summary.navigationToFirstMetricsMs, null],
      ['navigation → DOMContentLoaded, median (ms)', report.summary.domContentLoadedMs, null],
      ['sign-in page → first metrics (ms)', report.summary.loginToFirstMetricsMs, null],
    ],
  );
  if (browser.note) console.log(`note: ${browser.note}`);
  const svg = svgChart('bundle: dashboard production build', [
    {
      label: 'initial JS, gzip',
      unit: 'KB',
      bars: [
        { name: 'measured', value: report.summary.initialJsGzipKb },
        { name: 'target', value: 250 },
      ],
    },
    {
      label: 'navigation → first metrics (median)',
      unit: 'ms',
      bars: [{ name: 'measured', value: report.summary.navigationToFirstMetricsMs }],
    },
  ]);
  writeResults('bundle', report, svg);
  return report;
}
