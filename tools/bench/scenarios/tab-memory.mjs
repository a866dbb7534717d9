// tab-memory: does the dashboard tab's memory stay flat while live ticks keep arriving? Starts the
// built API with a fast tick (--tick-ms, 100 ms by default: the API's least, so every second of
// the run is 50 s of the usual 5 s ticks), serves the dashboard build (dist/, `nx build dashboard`
// first) in Debian's Chromium, signs in, and for each range (--ranges, 15m and 30d) samples the
// JS heap (CDP HeapProfiler.collectGarbage, then Performance.getMetrics JSHeapUsedSize) every
// --sample-s seconds for --duration seconds. Prints start / end heap, the least-squares slope
// (KB per minute of the run and per hour of 5 s ticks) and the chart's point count.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { Api } from '../lib/api.mjs';
import { round } from '../lib/histogram.mjs';
import { loadAverage } from '../lib/machine.mjs';
import { ROOT } from '../lib/paths.mjs';
import { printTable, reportHead, svgChart, writeResults } from '../lib/report.mjs';
import { startStaticProxy } from '../lib/static-proxy.mjs';

export const defaults = {
  dist: 'dist/apps/dashboard/browser',
  tickMs: 100,
  duration: 120,
  sampleS: 10,
  ranges: '15m,30d',
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
};

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const USUAL_TICK_MS = 5000;

/** Least-squares slope of ys over xs. */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

async function heapBytes(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null;
}

async function measureRange(page, cdp, range, o) {
  await page.getByTestId(`range-${range}`).click();
  await page.waitForFunction(
    (r) => document.querySelector(`[data-testid=range-${r}]`)?.getAttribute('aria-pressed') === 'true',
    range,
  );
  const points = () =>
    page.evaluate(() =>
      Number(document.querySelector('[data-testid=chart-orders]')?.getAttribute('data-points')),
    );
  const samples = [];
  const started = Date.now();
  for (;;) {
    const elapsed = (Date.now() - started) / 1000;
    samples.push({ s: round(elapsed, 1), heapBytes: await heapBytes(cdp), points: await points() });
    if (elapsed >= o.duration) break;
    await new Promise((r) => setTimeout(r, Math.min(o.sampleS, o.duration - elapsed + 0.05) * 1000));
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  const perS = slope(
    samples.map((x) => x.s),
    samples.map((x) => x.heapBytes),
  );
  const tickHoursPerS = (1000 / o.tickMs) * (USUAL_TICK_MS / 3_600_000);
  return {
    range,
    samples,
    startHeapMb: round(first.heapBytes / 1048576, 2),
    endHeapMb: round(last.heapBytes / 1048576, 2),
    slopeKbPerMin: perS === null ? null : round((perS * 60) / 1024, 1),
    slopeKbPerTickHour: perS === null ? null : round(perS / tickHoursPerS / 1024, 1),
    pointsStart: first.points,
    pointsEnd: last.points,
  };
}

export async function run(o) {
  const report = reportHead('tab-memory', o);
  const dist = resolve(ROOT, o.dist);
  if (!existsSync(join(dist, 'index.html')))
    throw new Error(`no dashboard build in ${o.dist}: npx nx build dashboard`);
  const ranges = String(o.ranges).split(',');
  const equivalentHours = round((o.duration * (1000 / o.tickMs) * USUAL_TICK_MS) / 3_600_000, 2);
  console.log(
    `tab-memory: tick ${o.tickMs} ms, ${o.duration} s per range = ${round((o.duration * 1000) / o.tickMs)} ticks = ${equivalentHours} h of ${USUAL_TICK_MS / 1000} s ticks`,
  );
  report.loadAverageBefore = loadAverage();
  const { chromium } = await import('playwright-core');
  const api = await new Api({ env: { DASHBOARD_TICK_MS: String(o.tickMs) } }).start();
  const proxy = await startStaticProxy(dist, api.port);
  const browser = await chromium.launch({ executablePath: o.chromium, args: CHROMIUM_FLAGS });
  const results = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${proxy.url}/login`);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForSelector('rt-metric-card .value:not(.placeholder)', { timeout: 30_000 });
    for (const range of ranges) results.push(await measureRange(page, cdp, range, o));
  } finally {
    await browser.close();
    await proxy.stop();
    await api.dispose();
  }
  report.loadAverageAfter = loadAverage();
  report.equivalentHoursPerRange = equivalentHours;
  report.ranges = results;
  printTable(
    `tab-memory: JS heap after GC, ${o.duration} s per range at ${o.tickMs} ms ticks (= ${equivalentHours} h of 5 s ticks); load ${report.loadAverageBefore.join(' ')} → ${report.loadAverageAfter.join(' ')}`,
    ['range', 'start MB', 'end MB', 'slope KB/min', 'KB per 5 s-tick hour', 'points start', 'points end'],
    results.map((r) => [
      r.range,
      r.startHeapMb,
      r.endHeapMb,
      r.slopeKbPerMin,
      r.slopeKbPerTickHour,
      r.pointsStart,
      r.pointsEnd,
    ]),
  );
  const svg = svgChart(
    'tab-memory: JS heap after GC',
    results.map((r) => ({
      label: `range ${r.range}`,
      unit: 'MB',
      bars: [
        { name: 'start', value: r.startHeapMb },
        { name: 'end', value: r.endHeapMb },
      ],
    })),
  );
  writeResults('tab-memory', report, svg);
  return report;
}
