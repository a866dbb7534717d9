// tabs: how many connections one browser holds with 1, 3 and 10 tabs of the dashboard open (one
// signed-in user; docs/tabs.md). A measurement, not a check: counted by the API
// (`GET /api/dashboard/connections`: open streams and sockets by kind) and by the proxy in front
// of it, which stands in for the dev server (TCP connections from the browser, idle keep-alives
// included, and SSE requests open). "Tabs live" is how many tabs showed Live within
// --live-timeout seconds: a tab that cannot get a connection never loads.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Api, login } from '../lib/api.mjs';
import { formatLoad, loadAverage } from '../lib/machine.mjs';
import { ROOT } from '../lib/paths.mjs';
import { sleep } from '../lib/processes.mjs';
import { printTable, reportHead, svgChart, writeResults } from '../lib/report.mjs';
import { startStaticProxy } from '../lib/static-proxy.mjs';

export const defaults = {
  dist: 'dist/apps/dashboard/browser',
  tabs: '1,3,10',
  user: 'bob',
  liveTimeout: 30,
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

/** The counts once nothing has changed for two seconds (or after 30 s). */
async function settled(count) {
  let last = '';
  let stableSince = Date.now();
  const started = Date.now();
  for (;;) {
    const now = await count();
    const key = JSON.stringify(now);
    if (key !== last) {
      last = key;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 2000 || Date.now() - started > 30_000) return now;
    await sleep(250);
  }
}

async function measureTabs(browser, proxy, n, o, count) {
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    await first.goto(`${proxy.url}/login`);
    await first.getByLabel('Username').fill(o.user);
    await first.getByLabel('Password').fill('demo-password');
    await first.getByRole('button', { name: /sign in/i }).click();
    await first.waitForURL('**/dashboard');
    // Every tab of the context starts signed in, as a tab opened from the first one would.
    const session = await first.evaluate(() => sessionStorage.getItem('rt.session'));
    await context.addInitScript((s) => {
      if (s && !sessionStorage.getItem('rt.session')) sessionStorage.setItem('rt.session', s);
    }, session);
    const pages = [first];
    for (let i = 1; i < n; i++) {
      const page = await context.newPage();
      // A tab that cannot get a connection never finishes loading: do not wait for it here.
      void page.goto(`${proxy.url}/dashboard`, { timeout: 60_000 }).catch(() => undefined);
      pages.push(page);
    }
    const live = await Promise.all(
      pages.map((page) =>
        page
          .getByTestId('connection-status')
          .filter({ hasText: 'Live' })
          .waitFor({ timeout: o.liveTimeout * 1000 })
          .then(() => true)
          .catch(() => false),
      ),
    );
    const c = await settled(count);
    return {
      tabs: n,
      tabsLive: live.filter(Boolean).length,
      dashboardStreams: c.api.dashboard ?? 0,
      notificationStreams: c.api.notifications ?? 0,
      chatSockets: c.api.chat ?? 0,
      sseRequestsOpen: c.streams,
      tcpConnections: c.tcp,
    };
  } finally {
    await context.close();
    await settled(count); // the closed tabs' connections gone before the next count
  }
}

export async function run(o) {
  const report = reportHead('tabs', o);
  const dist = resolve(ROOT, o.dist);
  if (!existsSync(join(dist, 'index.html')))
    throw new Error(`no dashboard build in ${o.dist}: npx nx build dashboard`);
  const { chromium } = await import('playwright-core');
  const api = await new Api({ env: { DASHBOARD_TICK_MS: '1000' } }).start();
  const proxy = await startStaticProxy(dist, api.port);
  const browser = await chromium.launch({ executablePath: o.chromium, args: CHROMIUM_FLAGS });
  const rows = [];
  try {
    // The counts are read as alice (an admin), whoever the browser signs in as.
    const { token } = await login(api.url, 'alice');
    const count = async () => {
      const res = await fetch(`${api.url}/api/dashboard/connections`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const { connections } = await res.json();
      return { api: connections, tcp: proxy.openSockets(), streams: proxy.streamsOpen() };
    };
    for (const n of String(o.tabs).split(',').map(Number)) {
      console.log(`tabs: ${n} tab(s) as ${o.user} (load average ${formatLoad(loadAverage())})…`);
      rows.push(await measureTabs(browser, proxy, n, o, count));
    }
  } finally {
    await browser.close();
    await proxy.stop();
    await api.dispose();
  }
  report.loadAverageAfter = loadAverage();
  report.dashboardBuild = dist;
  report.rows = rows;
  report.summary = Object.fromEntries(rows.map((r) => [`tabs${r.tabs}`, r]));
  const head = [
    'tabs',
    'tabs live',
    'dashboard streams',
    'notification streams',
    'chat sockets',
    'SSE requests open (proxy)',
    'TCP connections (proxy)',
  ];
  const cells = (r) => [
    r.tabs,
    r.tabsLive,
    r.dashboardStreams,
    r.notificationStreams,
    r.chatSockets,
    r.sseRequestsOpen,
    r.tcpConnections,
  ];
  const load = `load average ${formatLoad(report.loadAverageBefore)} → ${formatLoad(report.loadAverageAfter)}`;
  printTable(
    `tabs: one browser, ${o.user} signed in; dashboard build ${dist}; ${load}`,
    head,
    rows.map(cells),
  );
  // The same as markdown, for docs/tabs.md.
  console.log(
    ['', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`]
      .concat(rows.map((r) => `| ${cells(r).join(' | ')} |`))
      .join('\n'),
  );
  const svg = svgChart(
    `tabs: connections held by one browser (${load})`,
    rows.map((r) => ({
      label: `${r.tabs} tab(s), ${r.tabsLive} live`,
      unit: '',
      bars: [
        { name: 'SSE requests open', value: r.sseRequestsOpen },
        { name: 'TCP connections', value: r.tcpConnections },
      ],
    })),
  );
  writeResults('tabs', report, svg);
  return report;
}
