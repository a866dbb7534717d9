// sse-fanout: N dashboard streams on one API process against the same N on a bare node:http
// SSE server. Per server: connect everyone at one tick per --tick-ms, RSS per connection after
// a forced GC, then a `latency` phase (publish→receive, missed ticks, CPU) and a `saturation`
// phase where one more event per client is pushed every --sat-tick-ms (refreshes on ours, a
// publish on the baseline), more than one core can write: deliveries/s there is the server's
// ceiling, and ratio = ours ÷ baseline.
import { join } from 'node:path';

import { Api, loginAll, sourceAddresses } from '../lib/api.mjs';
import { Histogram, round } from '../lib/histogram.mjs';
import { loadAverage, requireOpenFiles } from '../lib/machine.mjs';
import { ROOT } from '../lib/paths.mjs';
import { freePort, ServerProcess, sleep } from '../lib/processes.mjs';
import { printTable, reportHead, svgChart, writeResults } from '../lib/report.mjs';
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
          else failed++;
        })
        .catch(() => failed++)
        .finally(() => inFlight--);
    }
  }, periodMs);
  return { stop: () => clearInterval(timer), stats: () => ({ sent, failed, skipped }) };
}

async function measureWindow(t, pool, phase, duration, o) {
  const cpu0 = t.server.stat().cpu;
  const w0 = await pool.all({ cmd: 'report' });
  const pusher = phase === 'saturation' ? startPusher(t.pushTargets, o.satTickMs) : null;
  if (pusher) await sleep(1000); // into the steady state
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
  const stats = t.server.statsSince(started);
  const perClientPerSecond = 1000 / o.tickMs + (pusher ? 1000 / o.satTickMs : 0);
  if (pusher) await sleep(1000); // let the backlog drain before the next phase or the end
  return {
    phase,
    stillConnected,
    seconds: round(seconds, 2),
    latencyMs: hist.summary(),
    ticksObserved: ids.length,
    missedTicks: phase === 'latency' ? missed : null,
    missedPct: ids.length ? round((100 * missed) / (ids.length * stillConnected), 3) : null,
    deliveriesPerSecond: Math.round(events / seconds),
    offeredPerSecond: Math.round(stillConnected * perClientPerSecond),
    pushes: pusher?.stats() ?? null,
    bytesPerEvent: events ? Math.round(bytes / events) : null,
    serverCpuPct: round((100 * (cpu1 - cpu0)) / seconds),
    workersCpuPct: round((100 * workerCpu) / seconds),
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
    const common = {
      target,
      clients: o.clients,
      connected,
      connectSeconds: round(Math.max(...connects.map((c) => c.ms)) / 1000, 2),
      connectErrors: [...new Set(connects.flatMap((c) => c.errors))],
      rssIdleMb: round(idle.rss / 2 ** 20),
      rssLoadedMb: round(loaded.rss / 2 ** 20),
      rssPerConnectionKb: connected ? round((loaded.rss - idle.rss) / connected / 1024, 2) : null,
      heapPerConnectionKb: connected ? round((loaded.heapUsed - idle.heapUsed) / connected / 1024, 2) : null,
    };
    const out = [
      { ...common, tickMs: o.tickMs, ...(await measureWindow(t, pool, 'latency', o.duration, o)) },
    ];
    if (o.satDuration) {
      out.push({
        ...common,
        tickMs: o.satTickMs,
        ...(await measureWindow(t, pool, 'saturation', o.satDuration, o)),
      });
    }
    return { results: out, snapshot: t.snapshot };
  } finally {
    await pool.close();
    await t.stop();
  }
}

export async function run(o) {
  requireOpenFiles(o.clients + 1000);
  const report = reportHead('sse-fanout', o);
  const targets = o.targets.split(',');
  const results = [];
  let template;
  for (const target of targets) {
    console.log(`sse-fanout: ${target} (${o.clients} clients)…`);
    const { results: rs, snapshot } = await runTarget(target, o, template);
    if (snapshot) template = snapshot;
    for (const r of rs) {
      results.push(r);
      console.log(
        `  ${r.phase}: connected ${r.connected}/${r.clients} in ${r.connectSeconds}s; p50 ${r.latencyMs.p50} ms, ` +
          `p99 ${r.latencyMs.p99} ms; ${r.deliveriesPerSecond}/s of ${r.offeredPerSecond}/s; server CPU ${r.serverCpuPct}%`,
      );
    }
  }
  const get = (target, phase) => results.find((r) => r.target === target && r.phase === phase);
  const ours = get('ours', 'latency');
  const base = get('baseline', 'latency');
  const oursSat = get('ours', 'saturation');
  const baseSat = get('baseline', 'saturation');
  const ratio =
    oursSat && baseSat ? round(oursSat.deliveriesPerSecond / baseSat.deliveriesPerSecond, 2) : null;
  report.results = results;
  report.summary = {
    clients: o.clients,
    p50Ms: ours?.latencyMs.p50 ?? null,
    p99Ms: ours?.latencyMs.p99 ?? null,
    maxMs: ours?.latencyMs.max ?? null,
    missedTicks: ours?.missedTicks ?? null,
    rssPerConnectionKb: ours?.rssPerConnectionKb ?? null,
    serverCpuPct: ours?.serverCpuPct ?? null,
    saturationDeliveriesPerSecond: oursSat?.deliveriesPerSecond ?? null,
    baselineSaturationDeliveriesPerSecond: baseSat?.deliveriesPerSecond ?? null,
    ratio,
  };
  report.targets = { p99Ms: 100, rssPerConnectionKb: 16, ratio: 0.8 };
  report.loadAverageAfter = loadAverage();

  const row = (label, f, target) => [label, ours ? f(ours) : null, base ? f(base) : null, target];
  printTable(
    `sse-fanout: ${o.clients} subscribers, tick ${o.tickMs} ms (latency phase)`,
    ['', 'ours', 'baseline', 'target'],
    [
      row('connected', (r) => `${r.connected}/${r.clients}`),
      row('connect time (s)', (r) => r.connectSeconds),
      row('publish→receive p50 (ms)', (r) => r.latencyMs.p50),
      row('publish→receive p99 (ms)', (r) => r.latencyMs.p99, '< 100'),
      row('publish→receive max (ms)', (r) => r.latencyMs.max),
      row('missed ticks', (r) => `${r.missedTicks} (${r.missedPct}%)`),
      row('JS heap per connection (KB)', (r) => r.heapPerConnectionKb),
      row('RSS per connection (KB)', (r) => r.rssPerConnectionKb, '< 16'),
      row('server CPU (%)', (r) => r.serverCpuPct),
      row('event loop delay p99 (ms)', (r) => r.eventLoopDelayP99Ms),
      row('bytes per event', (r) => r.bytesPerEvent),
    ],
  );
  if (oursSat || baseSat) {
    const s = (label, f, target) => [label, oursSat ? f(oursSat) : null, baseSat ? f(baseSat) : null, target];
    printTable(
      `saturation: ticks plus one event per client pushed every ${o.satTickMs} ms`,
      ['', 'ours', 'baseline', 'target'],
      [
        s('offered (events/s)', (r) => r.offeredPerSecond),
        s('pushes sent / failed / skipped', (r) => `${r.pushes.sent}/${r.pushes.failed}/${r.pushes.skipped}`),
        s('delivered (events/s)', (r) => r.deliveriesPerSecond),
        s('p99 (ms)', (r) => r.latencyMs.p99),
        s('server CPU (%)', (r) => r.serverCpuPct),
        s('load workers CPU (%)', (r) => r.workersCpuPct),
        ['ratio ours ÷ baseline', ratio, null, '≥ 0.8'],
      ],
    );
  }
  const svg = svgChart(`sse-fanout: ${o.clients} subscribers (ours blue, baseline grey)`, [
    {
      label: 'publish→receive p99',
      unit: 'ms',
      bars: [
        { name: 'ours', value: ours?.latencyMs.p99 },
        { name: 'baseline', value: base?.latencyMs.p99 },
        { name: 'target', value: 100 },
      ],
    },
    {
      label: 'RSS per connection',
      unit: 'KB',
      bars: [
        { name: 'ours', value: ours?.rssPerConnectionKb },
        { name: 'baseline', value: base?.rssPerConnectionKb },
        { name: 'target', value: 16 },
      ],
    },
    {
      label: 'deliveries/s at saturation',
      unit: '/s',
      bars: [
        { name: 'ours', value: oursSat?.deliveriesPerSecond },
        { name: 'baseline', value: baseSat?.deliveriesPerSecond },
        { name: 'target (0.8× baseline)', value: baseSat ? 0.8 * baseSat.deliveriesPerSecond : null },
      ],
    },
    {
      label: 'server CPU at 1 tick/s',
      unit: '%',
      bars: [
        { name: 'ours', value: ours?.serverCpuPct },
        { name: 'baseline', value: base?.serverCpuPct },
      ],
    },
  ]);
  writeResults('sse-fanout', report, svg);
  return report;
}
