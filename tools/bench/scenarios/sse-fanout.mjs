// sse-fanout: N dashboard streams on one API process against the same N on a bare node:http
// SSE server. Per server: connect everyone at one tick per --tick-ms, RSS per connection after
// a forced GC, then a `latency` phase (publish→receive, missed ticks, CPU) and a `saturation`
// phase where one more event per client is pushed every --sat-tick-ms (refreshes on ours, a
// publish on the baseline), more than one core can write: deliveries/s there is the server's
// ceiling. The servers run interleaved, --pairs times (ours, baseline, ours, baseline …, each a
// fresh process): every figure's ratio ours ÷ baseline is taken within its pair, and the median
// ratio is reported with its spread over the pairs (lib/ratios.mjs).
import { join } from 'node:path';

import { Api, loginAll, sourceAddresses } from '../lib/api.mjs';
import { Histogram, round } from '../lib/histogram.mjs';
import { loadAverage, requireOpenFiles } from '../lib/machine.mjs';
import { interleave, serverMetrics } from '../lib/pairs.mjs';
import { ROOT } from '../lib/paths.mjs';
import { freePort, ServerProcess, sleep } from '../lib/processes.mjs';
import { comparePairs, median as medianOf } from '../lib/ratios.mjs';
import { printComparison, printRuns, reportHead, svgChart, writeResults } from '../lib/report.mjs';
import { WorkerPool, split } from '../lib/workers.mjs';

export const defaults = {
  clients: 10_000,
  workers: 2,
  addresses: 4,
  tickMs: 1000,
  satTickMs: 100,
  duration: 15,
  satDuration: 10,
  settle: 3,
  concurrency: 200,
  targets: 'ours,baseline',
  pairs: 3,
  cpuProf: '',
};

const WORKER = join(ROOT, 'tools/bench/lib/sse-client-worker.mjs');

async function startTarget(target, tickMs, o, template) {
  if (target === 'ours') {
    const nodeArgs = o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf}`] : [];
    const api = await new Api({ env: { DASHBOARD_TICK_MS: String(tickMs) }, nodeArgs }).start();
    // Streams of the users who may refresh (operators and admins): a viewer's refresh is a 403.
    const users = (await loginAll(api.url)).filter((u) => u.role !== 'viewer');
    const snapshot = await (
      await fetch(`${api.url}/api/dashboard/snapshot`, {
        headers: { authorization: `Bearer ${users[0].token}` },
      })
    ).text();
    return {
      server: api,
      port: api.port,
      path: '/api/dashboard/stream',
      users,
      snapshot,
      pushTargets: users.map((u) => ({
        url: `${api.url}/api/dashboard/refresh`,
        headers: { authorization: `Bearer ${u.token}` },
      })),
      stop: () => api.dispose(),
    };
  }
  const port = await freePort();
  const server = new ServerProcess(join(ROOT, 'tools/bench/baselines/sse-server.mjs'), {
    name: 'baseline',
    env: { PORT: String(port), TICK_MS: String(tickMs), HEARTBEAT_MS: '30000', TEMPLATE: template ?? '' },
  }).start();
  await server.waitHttp(`http://127.0.0.1:${port}/health`);
  return {
    server,
    port,
    path: '/stream',
    users: [{ token: 'x', userId: 0 }],
    pushTargets: [{ url: `http://127.0.0.1:${port}/publish`, headers: {} }],
    stop: () => server.stop(),
  };
}

/**
 * Extra events on top of the ticks, every `periodMs` to every client: on ours a
 * `POST /api/dashboard/refresh` per demo user (each pushes a metrics event to that user's
 * streams), on the baseline a `POST /publish`. Connections are made at the normal tick rate
 * first, so the saturation phase measures delivery, not connecting under overload.
 */
function startPusher(targets, periodMs) {
  let inFlight = 0;
  let sent = 0;
  let failed = 0;
  let skipped = 0;
  const reasons = {};
  const fail = (why) => {
    failed++;
    reasons[why] = (reasons[why] ?? 0) + 1;
  };
  const timer = setInterval(() => {
    for (const { url, headers } of targets) {
      if (inFlight > 60) {
        skipped++;
        continue;
      }
      inFlight++;
      fetch(url, { method: 'POST', headers, signal: AbortSignal.timeout(10_000) })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status < 300) sent++;
          else fail(`HTTP ${res.status}`);
        })
        .catch((err) =>
          fail(err.name === 'TimeoutError' ? 'timeout (10 s)' : (err.cause?.code ?? err.message)),
        )
        .finally(() => inFlight--);
    }
  }, periodMs);
  return { stop: () => clearInterval(timer), stats: () => ({ sent, failed, skipped, reasons }) };
}

async function measureWindow(t, pool, phase, duration, o) {
  const pusher = phase === 'saturation' ? startPusher(t.pushTargets, o.satTickMs) : null;
  if (pusher) await sleep(1000); // into the steady state
  // The window's CPU and deliveries are counted over the same span, after the warm-up.
  const w0 = await pool.all({ cmd: 'report' });
  const cpu0 = t.server.stat().cpu;
  const started = Date.now();
  await pool.all({ cmd: 'reset' });
  await sleep(duration * 1000);
  await pool.all({ cmd: 'stop-measuring' });
  const seconds = (Date.now() - started) / 1000;
  const cpu1 = t.server.stat().cpu;
  pusher?.stop();
  const reports = await pool.all({ cmd: 'report' });
  const hist = new Histogram();
  const ticks = new Map();
  for (const r of reports) {
    hist.merge(r.hist);
    for (const [id, n] of r.tickCounts) ticks.set(id, (ticks.get(id) ?? 0) + n);
  }
  const stillConnected = reports.reduce((a, r) => a + r.connected, 0);
  // Latency phase only (every event is a tick there): the first and last ticks of the window
  // may straddle its edges, so only the whole ones count.
  const ids = phase === 'latency' ? [...ticks.keys()].sort((a, b) => Number(a) - Number(b)).slice(1, -1) : [];
  const missed = ids.reduce((a, id) => a + Math.max(0, stillConnected - ticks.get(id)), 0);
  const events = reports.reduce((a, r) => a + r.events, 0);
  const bytes = reports.reduce((a, r) => a + r.bytes, 0);
  const workerCpu = reports.reduce((a, r, i) => a + r.cpuSeconds - w0[i].cpuSeconds, 0);
  const perClientPerSecond = 1000 / o.tickMs + (pusher ? 1000 / o.satTickMs : 0);
  if (pusher) await sleep(1000); // let the backlog drain before the next phase or the end
  const stats = await t.server.statsDuring(started, started + seconds * 1000);
  return {
    phase,
    tickMs: phase === 'saturation' ? o.satTickMs : o.tickMs,
    stillConnected,
    seconds: round(seconds, 2),
    latencyMs: hist.summary(),
    ticksObserved: ids.length,
    missedTicks: phase === 'latency' ? missed : null,
    missedPct: ids.length ? round((100 * missed) / (ids.length * stillConnected), 3) : null,
    events,
    deliveriesPerSecond: Math.round(events / seconds),
    offeredPerSecond: Math.round(stillConnected * perClientPerSecond),
    pushes: pusher?.stats() ?? null,
    bytesPerEvent: events ? Math.round(bytes / events) : null,
    serverCpuSeconds: round(cpu1 - cpu0, 2),
    serverCpuPct: round((100 * (cpu1 - cpu0)) / seconds),
    // /proc's CPU (10 ms ticks) over the window ÷ the events the clients received in it.
    cpuUsPerEvent: events ? round(((cpu1 - cpu0) * 1e6) / events, 2) : null,
    workersCpuPct: round((100 * workerCpu) / seconds),
    // The worst of the window's per-second p99s (the preload's monitorEventLoopDelay, 5 ms resolution).
    eventLoopDelayP99Ms: stats.length ? round(Math.max(...stats.map((s) => s.eldP99))) : null,
    unexpectedCloses: reports.reduce((a, r) => a + r.unexpectedCloses, 0),
  };
}

async function runTarget(target, o, template) {
  const t = await startTarget(target, o.tickMs, o, template);
  const pool = new WorkerPool(WORKER, o.workers);
  try {
    await sleep(500);
    const idle = await t.server.memoryAfterGc();
    const counts = split(o.clients, o.workers);
    const offsets = counts.map((_, i) => counts.slice(0, i).reduce((a, b) => a + b, 0));
    const connects = await pool.all((i) => ({
      cmd: 'connect',
      port: t.port,
      addrs: sourceAddresses(o.addresses),
      groups: [{ path: t.path, kind: 'dashboard', count: counts[i] }],
      users: t.users,
      reconnect: false,
      concurrency: Math.ceil(o.concurrency / o.workers),
      offset: offsets[i],
    }));
    const connected = connects.reduce((a, c) => a + c.connected, 0);
    await sleep(o.settle * 1000);
    const loaded = await t.server.memoryAfterGc();
    const latency = await measureWindow(t, pool, 'latency', o.duration, o);
    const saturation = o.satDuration ? await measureWindow(t, pool, 'saturation', o.satDuration, o) : null;
    return {
      clients: o.clients,
      connected,
      connectSeconds: round(Math.max(...connects.map((c) => c.ms)) / 1000, 2),
      connectErrors: [...new Set(connects.flatMap((c) => c.errors))],
      rssIdleMb: round(idle.rss / 2 ** 20),
      rssLoadedMb: round(loaded.rss / 2 ** 20),
      rssPerConnectionKb: connected ? round((loaded.rss - idle.rss) / connected / 1024, 2) : null,
      heapPerConnectionKb: connected ? round((loaded.heapUsed - idle.heapUsed) / connected / 1024, 2) : null,
      latency,
      saturation,
      snapshot: t.snapshot,
    };
  } finally {
    await pool.close();
    await t.stop();
  }
}

/** The figures compared pair by pair; targets from issue 13 (ratios to the bare server). */
export const METRICS = serverMetrics({
  latency: 'publish→receive',
  connect: 'connect all',
  targets: {
    p99Ms: { on: 'ratio', max: 1.25 },
    rssPerConnectionKb: { on: 'ratio', max: 1.5 },
    deliveriesPerSecond: { on: 'ratio', min: 0.8 },
    eventLoopDelayP99Ms: { on: 'ratio', max: 2 },
  },
});

export async function run(o) {
  requireOpenFiles(o.clients + 1000);
  const report = reportHead('sse-fanout', o);
  let template;
  const runs = await interleave(o.pairs, o.targets.split(','), async (target) => {
    const { snapshot, ...r } = await runTarget(target, o, template);
    template ??= snapshot; // the baseline sends a tick of the same shape and size as ours
    const [l, s] = [r.latency, r.saturation];
    console.log(
      `  connected ${r.connected}/${r.clients} in ${r.connectSeconds}s; p50 ${l.latencyMs.p50} ms, ` +
        `p99 ${l.latencyMs.p99} ms; ELD p99 ${l.eventLoopDelayP99Ms} ms; ` +
        `saturation ${s?.deliveriesPerSecond ?? '–'}/s of ${s?.offeredPerSecond ?? '–'}/s at ${s?.cpuUsPerEvent ?? '–'} µs/event`,
    );
    if (s?.pushes?.failed) console.log(`  failed pushes: ${JSON.stringify(s.pushes.reasons)}`);
    return r;
  });
  const comparison = comparePairs(runs, METRICS);
  const median = (key) => comparison.figures[key].ours.median;
  const ratioOf = (key) => round(comparison.figures[key].ratio.median, 2);
  report.runs = runs;
  report.pairs = comparison.pairs;
  report.figures = comparison.figures;
  report.summary = {
    clients: o.clients,
    pairs: o.pairs,
    p50Ms: median('p50Ms'),
    p99Ms: median('p99Ms'),
    missedTicks: medianOf(runs.filter((r) => r.target === 'ours').map((r) => r.latency.missedTicks)),
    rssPerConnectionKb: median('rssPerConnectionKb'),
    heapPerConnectionKb: median('heapPerConnectionKb'),
    saturationDeliveriesPerSecond: median('deliveriesPerSecond'),
    baselineSaturationDeliveriesPerSecond: comparison.figures.deliveriesPerSecond.baseline.median,
    cpuUsPerEvent: median('cpuUsPerEvent'),
    eventLoopDelayP99Ms: median('eventLoopDelayP99Ms'),
    ratio: ratioOf('deliveriesPerSecond'),
    ratios: Object.fromEntries(METRICS.map((m) => [m.key, ratioOf(m.key)])),
    met: Object.fromEntries(
      METRICS.filter((m) => m.target).map((m) => [m.key, comparison.figures[m.key].met]),
    ),
  };
  report.targets = Object.fromEntries(METRICS.filter((m) => m.target).map((m) => [m.key, m.target]));
  report.loadAverageAfter = loadAverage();

  printRuns(`sse-fanout: ${o.clients} subscribers, each run on a fresh server`, runs, [
    ['connected', (r) => `${r.connected}/${r.clients}`],
    ['connect time (s)', (r) => r.connectSeconds],
    ['RSS per connection (KB)', (r) => r.rssPerConnectionKb],
    ['JS heap per connection (KB)', (r) => r.heapPerConnectionKb],
    [`latency (tick ${o.tickMs} ms): p50 / p99 / max (ms)`, (r) => lat(r.latency)],
    [
      '  missed ticks',
      (r) => `${r.latency.missedTicks}${r.latency.missedPct == null ? '' : ` (${r.latency.missedPct}%)`}`,
    ],
    ['  server CPU (%)', (r) => r.latency.serverCpuPct],
    ['  server CPU per event (µs)', (r) => r.latency.cpuUsPerEvent],
    ['  event-loop delay p99 (ms)', (r) => r.latency.eventLoopDelayP99Ms],
    ['  bytes per event', (r) => r.latency.bytesPerEvent],
    ...(o.satDuration
      ? [
          [
            `saturation (+1 event per client per ${o.satTickMs} ms): offered/s`,
            (r) => r.saturation.offeredPerSecond,
          ],
          ['  pushes sent / failed / skipped', (r) => pushes(r.saturation.pushes)],
          ['  delivered/s', (r) => r.saturation.deliveriesPerSecond],
          ['  p99 (ms)', (r) => r.saturation.latencyMs.p99],
          ['  server CPU (%)', (r) => r.saturation.serverCpuPct],
          ['  server CPU per event (µs)', (r) => r.saturation.cpuUsPerEvent],
          ['  load workers CPU (%)', (r) => r.saturation.workersCpuPct],
          ['  event-loop delay p99 (ms)', (r) => r.saturation.eventLoopDelayP99Ms],
        ]
      : []),
  ]);
  printComparison(`sse-fanout: ${o.clients} subscribers, ${pairsTitle(comparison, o)}`, comparison, METRICS);
  const f = comparison.figures;
  const bars = (key) => [
    { name: 'ours (median)', value: f[key].ours.median },
    { name: 'baseline (median)', value: f[key].baseline.median },
    ...(f[key].target?.on === 'ratio' && f[key].baseline.median != null
      ? [
          {
            name: `target (${f[key].target.max ?? f[key].target.min}× baseline)`,
            value: f[key].baseline.median * (f[key].target.max ?? f[key].target.min),
          },
        ]
      : []),
  ];
  const svg = svgChart(`sse-fanout: ${o.clients} subscribers, medians of ${o.pairs} pair(s)`, [
    { label: 'publish→receive p99', unit: 'ms', bars: bars('p99Ms') },
    { label: 'RSS per connection', unit: 'KB', bars: bars('rssPerConnectionKb') },
    { label: 'deliveries/s at saturation', unit: '/s', bars: bars('deliveriesPerSecond') },
    { label: 'server CPU per delivered event (saturation)', unit: 'µs', bars: bars('cpuUsPerEvent') },
    { label: 'event-loop delay p99 (latency phase)', unit: 'ms', bars: bars('eventLoopDelayP99Ms') },
  ]);
  writeResults('sse-fanout', report, svg);
  return report;
}

const lat = (phase) => `${phase.latencyMs.p50} / ${phase.latencyMs.p99} / ${phase.latencyMs.max}`;
const pushes = (p) => (p ? `${p.sent}/${p.failed}/${p.skipped}` : null);
const pairsTitle = (comparison, o) =>
  comparison.pairs.length
    ? `${comparison.pairs.length} pair(s) A B A B; ratio = ours ÷ bare, per pair`
    : `${o.pairs} run(s) of ${o.targets}, no pairs to compare`;
