// chat: N socket.io clients in rooms of --room-size on the API's `/chat` namespace, against a
// plain socket.io server with the same events. Per server: connect and join, then a `latency`
// phase (one message per client every --interval-ms: send→receive p50/p99, unexpected
// disconnects, RSS per connection after a forced GC) and a `saturation` phase at
// --sat-interval-ms, where deliveries/s is the server's ceiling. The servers run interleaved,
// --pairs times (ours, baseline, ours, baseline …, each a fresh process); each ratio ours ÷
// baseline is taken within its pair and reported as the median over the pairs with its spread.
import { join } from 'node:path';

import { Api, loginAll, sourceAddresses } from '../lib/api.mjs';
import { Histogram, round } from '../lib/histogram.mjs';
import { loadAverage, requireOpenFiles } from '../lib/machine.mjs';
import { interleave, serverMetrics } from '../lib/pairs.mjs';
import { ROOT } from '../lib/paths.mjs';
import { freePort, ServerProcess, sleep } from '../lib/processes.mjs';
import { comparePairs } from '../lib/ratios.mjs';
import { printComparison, printRuns, reportHead, svgChart, writeResults } from '../lib/report.mjs';
import { WorkerPool, split } from '../lib/workers.mjs';

export const defaults = {
  clients: 5000,
  roomSize: 10,
  workers: 2,
  addresses: 4,
  intervalMs: 5000,
  satIntervalMs: 500,
  duration: 20,
  satDuration: 10,
  settle: 3,
  concurrency: 100,
  targets: 'ours,baseline',
  pairs: 3,
  cpuProf: '',
};

const WORKER = join(ROOT, 'tools/bench/lib/chat-client-worker.mjs');

async function startTarget(target, o) {
  // Each profile is named after its target (`ours-…`, `baseline-…`), so that the two compare.
  const nodeArgs = o.cpuProf
    ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf}`, `--cpu-prof-name=${target}-${Date.now()}.cpuprofile`]
    : [];
  if (target === 'ours') {
    const api = await new Api({ nodeArgs }).start();
    return { server: api, url: api.url, users: await loginAll(api.url), stop: () => api.dispose() };
  }
  const port = await freePort();
  const server = new ServerProcess(join(ROOT, 'tools/bench/baselines/chat-server.mjs'), {
    name: 'baseline',
    env: { PORT: String(port) },
    nodeArgs,
  }).start();
  await server.waitHttp(`http://127.0.0.1:${port}/health`);
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    users: [{ token: 'x', userId: 0 }],
    stop: () => server.stop(),
  };
}

async function measure(pool, t, intervalMs, duration, clients, roomSize) {
  const cpu0 = t.server.stat().cpu;
  const w0 = await pool.all({ cmd: 'report' });
  await pool.all({ cmd: 'reset' });
  await pool.all({ cmd: 'send', intervalMs });
  const started = Date.now();
  await sleep(duration * 1000);
  await pool.all({ cmd: 'stop-sending' });
  const seconds = (Date.now() - started) / 1000;
  const cpu1 = t.server.stat().cpu;
  await sleep(Math.min(2000, intervalMs)); // the last acks and deliveries
  await pool.all({ cmd: 'stop-measuring' });
  const cpuDrained = t.server.stat().cpu;
  const reports = await pool.all({ cmd: 'report' });
  const hist = new Histogram();
  const ackHist = new Histogram();
  for (const r of reports) {
    hist.merge(r.hist);
    ackHist.merge(r.ackHist);
  }
  const sum = (k) => reports.reduce((a, r) => a + r[k], 0);
  const stats = await t.server.statsDuring(started, started + seconds * 1000);
  return {
    intervalMs,
    seconds: round(seconds, 2),
    offeredMessagesPerSecond: Math.round((clients * 1000) / intervalMs),
    acked: sum('acked'),
    rejected: sum('rejected'),
    received: sum('received'),
    expectedDeliveries: sum('acked') * roomSize,
    deliveriesPerSecond: Math.round(sum('received') / seconds),
    latencyMs: hist.summary(),
    ackLatencyMs: ackHist.summary(),
    serverCpuPct: round((100 * (cpu1 - cpu0)) / seconds),
    // /proc's CPU from the first send until the last delivery counted ÷ the deliveries counted.
    cpuUsPerEvent: sum('received') ? round(((cpuDrained - cpu0) * 1e6) / sum('received'), 2) : null,
    workersCpuPct: round(
      (100 * reports.reduce((a, r, i) => a + r.cpuSeconds - w0[i].cpuSeconds, 0)) / seconds,
    ),
    // The worst of the window's per-second p99s (the preload's monitorEventLoopDelay, 5 ms resolution).
    eventLoopDelayP99Ms: stats.length ? round(Math.max(...stats.map((s) => s.eldP99))) : null,
    errorEvents: sum('errorEvents'),
    unexpectedDisconnects: sum('unexpectedDisconnects'),
    errorSamples: [...new Set(reports.flatMap((r) => r.errorSamples))],
  };
}

async function runTarget(target, o) {
  const t = await startTarget(target, o);
  const pool = new WorkerPool(WORKER, o.workers);
  try {
    await sleep(500);
    const idle = await t.server.memoryAfterGc();
    const rssIdle = idle.rss;
    const counts = split(o.clients, o.workers);
    const offsets = counts.map((_, i) => counts.slice(0, i).reduce((a, b) => a + b, 0));
    const connects = await pool.all((i) => ({
      cmd: 'connect',
      url: t.url,
      addrs: sourceAddresses(o.addresses),
      count: counts[i],
      users: t.users,
      roomSize: o.roomSize,
      reconnect: false,
      concurrency: Math.ceil(o.concurrency / o.workers),
      offset: offsets[i],
    }));
    const connected = connects.reduce((a, c) => a + c.connected, 0);
    await sleep(o.settle * 1000);
    const loaded = await t.server.memoryAfterGc();
    const rssLoaded = loaded.rss;
    const latency = await measure(pool, t, o.intervalMs, o.duration, o.clients, o.roomSize);
    const saturation = o.satDuration
      ? await measure(pool, t, o.satIntervalMs, o.satDuration, o.clients, o.roomSize)
      : null;
    const end = await pool.all({ cmd: 'status' });
    return {
      clients: o.clients,
      connected,
      connectSeconds: round(Math.max(...connects.map((c) => c.ms)) / 1000, 2),
      connectErrors: [...new Set(connects.flatMap((c) => c.errors))],
      connectedAtEnd: end.reduce((a, s) => a + s.connected, 0),
      unexpectedDisconnects: end.reduce((a, s) => a + s.unexpectedDisconnects, 0),
      rssIdleMb: round(rssIdle / 2 ** 20),
      rssLoadedMb: round(rssLoaded / 2 ** 20),
      rssPerConnectionKb: connected ? round((rssLoaded - rssIdle) / connected / 1024, 2) : null,
      heapPerConnectionKb: connected ? round((loaded.heapUsed - idle.heapUsed) / connected / 1024, 2) : null,
      latency,
      saturation,
    };
  } finally {
    await pool.close();
    await t.stop();
  }
}

/** The figures compared pair by pair; targets from issue 15 (p99 absolute, deliveries a ratio). */
export const METRICS = serverMetrics({
  latency: 'send→receive',
  connect: 'connect + join all',
  targets: { p99Ms: { on: 'ours', below: 50 }, deliveriesPerSecond: { on: 'ratio', min: 0.9 } },
});
const NAMES = { ours: 'ours', baseline: 'plain socket.io' };

export async function run(o) {
  requireOpenFiles(o.clients + 1000);
  const report = reportHead('chat', o);
  const runs = await interleave(o.pairs, o.targets.split(','), async (target) => {
    const r = await runTarget(target, o);
    console.log(
      `  connected ${r.connected}/${r.clients} in ${r.connectSeconds}s; p50 ${r.latency.latencyMs.p50} ms, ` +
        `p99 ${r.latency.latencyMs.p99} ms; ELD p99 ${r.latency.eventLoopDelayP99Ms} ms; ` +
        `saturation ${r.saturation?.deliveriesPerSecond ?? '–'}/s at ${r.saturation?.cpuUsPerEvent ?? '–'} µs/event`,
    );
    return r;
  });
  const comparison = comparePairs(runs, METRICS);
  const f = comparison.figures;
  const ours = runs.filter((r) => r.target === 'ours');
  report.runs = runs;
  report.pairs = comparison.pairs;
  report.figures = f;
  report.summary = {
    clients: o.clients,
    pairs: o.pairs,
    p50Ms: f.p50Ms.ours.median,
    p99Ms: f.p99Ms.ours.median,
    unexpectedDisconnects: ours.length ? ours.reduce((a, r) => a + r.unexpectedDisconnects, 0) : null,
    rssPerConnectionKb: f.rssPerConnectionKb.ours.median,
    heapPerConnectionKb: f.heapPerConnectionKb.ours.median,
    saturationDeliveriesPerSecond: f.deliveriesPerSecond.ours.median,
    baselineSaturationDeliveriesPerSecond: f.deliveriesPerSecond.baseline.median,
    cpuUsPerEvent: f.cpuUsPerEvent.ours.median,
    eventLoopDelayP99Ms: f.eventLoopDelayP99Ms.ours.median,
    ratio: round(f.deliveriesPerSecond.ratio.median, 2),
    ratios: Object.fromEntries(METRICS.map((m) => [m.key, round(f[m.key].ratio.median, 2)])),
    met: Object.fromEntries(METRICS.filter((m) => m.target).map((m) => [m.key, f[m.key].met])),
  };
  report.targets = Object.fromEntries(METRICS.filter((m) => m.target).map((m) => [m.key, m.target]));
  report.loadAverageAfter = loadAverage();

  printRuns(
    `chat: ${o.clients} clients in rooms of ${o.roomSize}, each run on a fresh server`,
    runs,
    [
      ['connected', (r) => `${r.connected}/${r.clients}`],
      ['connect + join time (s)', (r) => r.connectSeconds],
      ['unexpected disconnects', (r) => r.unexpectedDisconnects],
      ['RSS per connection (KB)', (r) => r.rssPerConnectionKb],
      ['JS heap per connection (KB)', (r) => r.heapPerConnectionKb],
      [`latency (1 message per client per ${o.intervalMs} ms): p50 / p99 (ms)`, (r) => lat(r.latency)],
      ['  send→ack p99 (ms)', (r) => r.latency.ackLatencyMs.p99],
      ['  delivered / expected', (r) => `${r.latency.received}/${r.latency.expectedDeliveries}`],
      ['  rejected sends', (r) => r.latency.rejected],
      ['  server CPU (%)', (r) => r.latency.serverCpuPct],
      ['  server CPU per event (µs)', (r) => r.latency.cpuUsPerEvent],
      ['  event-loop delay p99 (ms)', (r) => r.latency.eventLoopDelayP99Ms],
      ...(o.satDuration
        ? [
            [
              `saturation (per ${o.satIntervalMs} ms): offered messages/s`,
              (r) => r.saturation.offeredMessagesPerSecond,
            ],
            ['  delivered/s', (r) => r.saturation.deliveriesPerSecond],
            ['  p50 / p99 (ms)', (r) => lat(r.saturation)],
            ['  server CPU (%)', (r) => r.saturation.serverCpuPct],
            ['  server CPU per event (µs)', (r) => r.saturation.cpuUsPerEvent],
            ['  load workers CPU (%)', (r) => r.saturation.workersCpuPct],
            ['  event-loop delay p99 (ms)', (r) => r.saturation.eventLoopDelayP99Ms],
          ]
        : []),
    ],
    NAMES,
  );
  printComparison(`chat: ${o.clients} clients, ${pairsTitle(comparison, o)}`, comparison, METRICS, NAMES);
  const bars = (key, target) => [
    { name: 'ours (median)', value: f[key].ours.median },
    { name: 'plain socket.io (median)', value: f[key].baseline.median },
    ...(target ? [target] : []),
  ];
  const base = f.deliveriesPerSecond.baseline.median;
  const svg = svgChart(`chat: ${o.clients} clients, medians of ${o.pairs} pair(s)`, [
    { label: 'send→receive p99', unit: 'ms', bars: bars('p99Ms', { name: 'target', value: 50 }) },
    {
      label: 'deliveries/s at saturation',
      unit: '/s',
      bars: bars('deliveriesPerSecond', {
        name: 'target (0.9× plain)',
        value: base == null ? null : 0.9 * base,
      }),
    },
    { label: 'server CPU per delivered event (saturation)', unit: 'µs', bars: bars('cpuUsPerEvent') },
    { label: 'RSS per connection', unit: 'KB', bars: bars('rssPerConnectionKb') },
  ]);
  writeResults('chat', report, svg);
  return report;
}

const lat = (phase) => `${phase.latencyMs.p50} / ${phase.latencyMs.p99}`;
const pairsTitle = (comparison, o) =>
  comparison.pairs.length
    ? `${comparison.pairs.length} pair(s) A B A B; ratio = ours ÷ plain socket.io, per pair`
    : `${o.pairs} run(s) of ${o.targets}, no pairs to compare`;
