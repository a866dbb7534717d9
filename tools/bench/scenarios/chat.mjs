// chat: N socket.io clients in rooms of --room-size on the API's `/chat` namespace, against a
// plain socket.io server with the same events. Per server: connect and join, then a `latency`
// phase (one message per client every --interval-ms: send→receive p50/p99, unexpected
// disconnects, RSS per connection after a forced GC) and a `saturation` phase at
// --sat-interval-ms, where deliveries/s is the server's ceiling. ratio = ours ÷ baseline there.
import { join } from 'node:path';

import { Api, loginAll, sourceAddresses } from '../lib/api.mjs';
import { Histogram, round } from '../lib/histogram.mjs';
import { loadAverage, requireOpenFiles } from '../lib/machine.mjs';
import { ROOT } from '../lib/paths.mjs';
import { freePort, ServerProcess, sleep } from '../lib/processes.mjs';
import { printTable, reportHead, svgChart, writeResults } from '../lib/report.mjs';
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
  cpuProf: '',
};

const WORKER = join(ROOT, 'tools/bench/lib/chat-client-worker.mjs');

async function startTarget(target, o) {
  if (target === 'ours') {
    const nodeArgs = o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf}`] : [];
    const api = await new Api({ nodeArgs }).start();
    return { server: api, url: api.url, users: await loginAll(api.url), stop: () => api.dispose() };
  }
  const port = await freePort();
  const server = new ServerProcess(join(ROOT, 'tools/bench/baselines/chat-server.mjs'), {
    name: 'baseline',
    env: { PORT: String(port) },
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
  const reports = await pool.all({ cmd: 'report' });
  const hist = new Histogram();
  const ackHist = new Histogram();
  for (const r of reports) {
    hist.merge(r.hist);
    ackHist.merge(r.ackHist);
  }
  const sum = (k) => reports.reduce((a, r) => a + r[k], 0);
  const stats = t.server.statsSince(started);
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
    workersCpuPct: round(
      (100 * reports.reduce((a, r, i) => a + r.cpuSeconds - w0[i].cpuSeconds, 0)) / seconds,
    ),
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
      target,
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

export async function run(o) {
  requireOpenFiles(o.clients + 1000);
  const report = reportHead('chat', o);
  const results = [];
  for (const target of o.targets.split(',')) {
    console.log(`chat: ${target} (${o.clients} clients, rooms of ${o.roomSize})…`);
    const r = await runTarget(target, o);
    results.push(r);
    console.log(
      `  connected ${r.connected}/${r.clients} in ${r.connectSeconds}s; p50 ${r.latency.latencyMs.p50} ms, ` +
        `p99 ${r.latency.latencyMs.p99} ms; saturation ${r.saturation?.deliveriesPerSecond ?? '–'}/s`,
    );
  }
  const ours = results.find((r) => r.target === 'ours');
  const base = results.find((r) => r.target === 'baseline');
  const ratio =
    ours?.saturation && base?.saturation
      ? round(ours.saturation.deliveriesPerSecond / base.saturation.deliveriesPerSecond, 2)
      : null;
  report.results = results;
  report.summary = {
    clients: o.clients,
    p50Ms: ours?.latency.latencyMs.p50 ?? null,
    p99Ms: ours?.latency.latencyMs.p99 ?? null,
    unexpectedDisconnects: ours?.unexpectedDisconnects ?? null,
    rssPerConnectionKb: ours?.rssPerConnectionKb ?? null,
    saturationDeliveriesPerSecond: ours?.saturation?.deliveriesPerSecond ?? null,
    baselineSaturationDeliveriesPerSecond: base?.saturation?.deliveriesPerSecond ?? null,
    ratio,
  };
  report.targets = { p99Ms: 50, ratio: 0.9 };
  report.loadAverageAfter = loadAverage();

  const row = (label, f, target) => [label, ours ? f(ours) : null, base ? f(base) : null, target];
  printTable(
    `chat: ${o.clients} clients in rooms of ${o.roomSize}, one message each per ${o.intervalMs} ms`,
    ['', 'ours', 'plain socket.io', 'target'],
    [
      row('connected', (r) => `${r.connected}/${r.clients}`),
      row('connect + join time (s)', (r) => r.connectSeconds),
      row('send→receive p50 (ms)', (r) => r.latency.latencyMs.p50),
      row('send→receive p99 (ms)', (r) => r.latency.latencyMs.p99, '< 50'),
      row('send→ack p99 (ms)', (r) => r.latency.ackLatencyMs.p99),
      row('delivered / expected', (r) => `${r.latency.received}/${r.latency.expectedDeliveries}`),
      row('rejected sends', (r) => r.latency.rejected),
      row('unexpected disconnects', (r) => r.unexpectedDisconnects, '0'),
      row('JS heap per connection (KB)', (r) => r.heapPerConnectionKb),
      row('RSS per connection (KB)', (r) => r.rssPerConnectionKb),
      row('server CPU (%)', (r) => r.latency.serverCpuPct),
    ],
  );
  if (ours?.saturation || base?.saturation) {
    const s = (label, f, target) => [
      label,
      ours?.saturation ? f(ours.saturation) : null,
      base?.saturation ? f(base.saturation) : null,
      target,
    ];
    printTable(
      `saturation: one message per client every ${o.satIntervalMs} ms`,
      ['', 'ours', 'plain socket.io', 'target'],
      [
        s('offered (messages/s)', (r) => r.offeredMessagesPerSecond),
        s('delivered (events/s)', (r) => r.deliveriesPerSecond),
        s('send→receive p99 (ms)', (r) => r.latencyMs.p99),
        s('server CPU (%)', (r) => r.serverCpuPct),
        s('load workers CPU (%)', (r) => r.workersCpuPct),
        ['ratio ours ÷ plain socket.io', ratio, null, '≥ 0.9'],
      ],
    );
  }
  const svg = svgChart(`chat: ${o.clients} clients (ours blue, plain socket.io grey)`, [
    {
      label: 'send→receive p99',
      unit: 'ms',
      bars: [
        { name: 'ours', value: ours?.latency.latencyMs.p99 },
        { name: 'plain socket.io', value: base?.latency.latencyMs.p99 },
        { name: 'target', value: 50 },
      ],
    },
    {
      label: 'deliveries/s at saturation',
      unit: '/s',
      bars: [
        { name: 'ours', value: ours?.saturation?.deliveriesPerSecond },
        { name: 'plain socket.io', value: base?.saturation?.deliveriesPerSecond },
        {
          name: 'target (0.9× plain)',
          value: base?.saturation ? 0.9 * base.saturation.deliveriesPerSecond : null,
        },
      ],
    },
    {
      label: 'RSS per connection',
      unit: 'KB',
      bars: [
        { name: 'ours', value: ours?.rssPerConnectionKb },
        { name: 'plain socket.io', value: base?.rssPerConnectionKb },
      ],
    },
  ]);
  writeResults('chat', report, svg);
  return report;
}
