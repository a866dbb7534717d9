// chat-abuse: issue 15's attack while others chat. --clients ordinary socket.io clients (alice
// and bob) in rooms of --room-size send one message each per --interval-ms (send→receive
// measured, as in `chat`); one user (carol) opens --abuse-sockets sockets, joins --abuse-rooms
// rooms of her own over them, then closes them all at once. Measured in a --window s steady
// window before the joins, during the joins, and from the disconnect on: everyone else's
// send→receive p50/p99, the server's event-loop delay (worst per-second p99, and max) and
// `GET /api/health` answer times (polled every --health-ms). Ours only: the "before" is another
// build, `BENCH_API_MAIN=<main.js> npm run bench -- chat-abuse`.
import { join } from 'node:path';

import { io } from 'socket.io-client';

import { Api, loginAll, sourceAddresses } from '../lib/api.mjs';
import { Histogram, round } from '../lib/histogram.mjs';
import { formatLoad, loadAverage, requireOpenFiles } from '../lib/machine.mjs';
import { ROOT } from '../lib/paths.mjs';
import { sleep } from '../lib/processes.mjs';
import { printTable, reportHead, svgChart, writeResults } from '../lib/report.mjs';
import { WorkerPool, split } from '../lib/workers.mjs';

export const defaults = {
  clients: 1000,
  roomSize: 10,
  workers: 2,
  addresses: 4,
  intervalMs: 2000,
  abuseRooms: 5000,
  abuseSockets: 4,
  joinConcurrency: 50,
  window: 5,
  healthMs: 100,
  settle: 2,
  concurrency: 100,
  cpuProf: '',
};

const WORKER = join(ROOT, 'tools/bench/lib/chat-client-worker.mjs');
const ELD_TARGET_MS = 50;

/** `GET /api/health` every `everyMs` until stopped: answer times, and how many were not 200. */
function pollHealth(url, everyMs) {
  const hist = new Histogram();
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${url}/api/health`);
        await res.arrayBuffer();
        if (res.status !== 200) failed++;
      } catch {
        failed++;
      }
      const ms = performance.now() - started;
      hist.add(ms);
      await sleep(Math.max(0, everyMs - ms));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ...hist.summary(), failed };
    },
  };
}

/** The abuser's sockets, each joining its share of `rooms` rooms (`concurrency` acks in flight). */
async function abuse(url, token, o) {
  const sockets = await Promise.all(
    Array.from(
      { length: o.abuseSockets },
      () =>
        new Promise((resolve, reject) => {
          const socket = io(`${url}/chat`, {
            transports: ['websocket'],
            auth: { token },
            forceNew: true,
            reconnection: false,
            timeout: 60_000,
          });
          socket.once('connect', () => resolve(socket));
          socket.once('connect_error', reject);
        }),
    ),
  );
  const started = Date.now();
  const counts = split(o.abuseRooms, o.abuseSockets);
  let refused = 0;
  let firstError;
  await Promise.all(
    sockets.map(async (socket, s) => {
      const offset = counts.slice(0, s).reduce((a, b) => a + b, 0);
      let next = 0;
      const lane = async () => {
        while (next < counts[s]) {
          const roomId = `abuse-${offset + next++}`;
          const ack = await socket.timeout(60_000).emitWithAck('join', { roomId });
          if (!ack?.ok) {
            refused++;
            firstError ??= ack?.error?.code;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.joinConcurrency, counts[s]) }, lane));
    }),
  );
  return { sockets, joinSeconds: round((Date.now() - started) / 1000, 2), refused, firstError };
}

/** One window's figures: the ordinary clients' latency and the server's loop delay meanwhile. */
async function window(pool, api, url, o, during) {
  await pool.all({ cmd: 'reset' });
  const health = pollHealth(url, o.healthMs);
  const started = Date.now();
  const extra = await during();
  const seconds = (Date.now() - started) / 1000;
  const healthMs = await health.stop();
  await sleep(Math.min(2000, o.intervalMs)); // the window's last deliveries
  const reports = await pool.all({ cmd: 'report' });
  const hist = new Histogram();
  for (const r of reports) hist.merge(r.hist);
  const stats = await api.statsDuring(started, started + seconds * 1000);
  const sum = (k) => reports.reduce((a, r) => a + r[k], 0);
  return {
    seconds: round(seconds, 2),
    ...extra,
    latencyMs: hist.summary(),
    received: sum('received'),
    rejected: sum('rejected'),
    eventLoopDelayP99Ms: stats.length ? round(Math.max(...stats.map((s) => s.eldP99))) : null,
    eventLoopDelayMaxMs: stats.length ? round(Math.max(...stats.map((s) => s.eldMax))) : null,
    healthMs,
  };
}

export async function run(o) {
  requireOpenFiles(o.clients + o.abuseSockets + 1000);
  const report = reportHead('chat-abuse', o);
  console.log(
    `chat-abuse: ${o.clients} clients in rooms of ${o.roomSize}; one user joins ${o.abuseRooms} rooms ` +
      `over ${o.abuseSockets} sockets and disconnects…`,
  );
  const loadStart = loadAverage();
  const nodeArgs = o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf}`] : [];
  const api = await new Api({ nodeArgs }).start();
  const pool = new WorkerPool(WORKER, o.workers);
  try {
    const [alice, bob, carol] = await loginAll(api.url);
    const counts = split(o.clients, o.workers);
    const connects = await pool.all((i) => ({
      cmd: 'connect',
      url: api.url,
      addrs: sourceAddresses(o.addresses),
      count: counts[i],
      users: [alice, bob],
      roomSize: o.roomSize,
      reconnect: false,
      concurrency: Math.ceil(o.concurrency / o.workers),
      offset: counts.slice(0, i).reduce((a, b) => a + b, 0),
    }));
    const connected = connects.reduce((a, c) => a + c.connected, 0);
    await pool.all({ cmd: 'send', intervalMs: o.intervalMs });
    await sleep(o.settle * 1000);

    const steady = await window(pool, api, api.url, o, async () => {
      await sleep(o.window * 1000);
      return {};
    });
    let sockets = [];
    const joining = await window(pool, api, api.url, o, async () => {
      const abused = await abuse(api.url, carol.token, o);
      sockets = abused.sockets;
      return { joinSeconds: abused.joinSeconds, refusedJoins: abused.refused, firstError: abused.firstError };
    });
    const disconnect = await window(pool, api, api.url, o, async () => {
      for (const socket of sockets) socket.disconnect();
      await sleep(o.window * 1000);
      return {};
    });
    await pool.all({ cmd: 'stop-sending' });
    const end = await pool.all({ cmd: 'status' });
    report.run = {
      clients: o.clients,
      connected,
      connectedAtEnd: end.reduce((a, s) => a + s.connected, 0),
      unexpectedDisconnects: end.reduce((a, s) => a + s.unexpectedDisconnects, 0),
      loadAverage: { start: loadStart, end: loadAverage() },
      steady,
      joining,
      disconnect,
    };
  } finally {
    await pool.close();
    await api.dispose();
  }

  const r = report.run;
  report.summary = {
    clients: o.clients,
    abuseRooms: o.abuseRooms,
    p99Ms: r.disconnect.latencyMs.p99,
    eventLoopDelayP99Ms: r.disconnect.eventLoopDelayP99Ms,
    healthMaxMs: r.disconnect.healthMs.max,
    met: {
      eventLoopDelayP99Ms:
        r.disconnect.eventLoopDelayP99Ms == null ? null : r.disconnect.eventLoopDelayP99Ms < ELD_TARGET_MS,
    },
  };
  report.loadAverageAfter = loadAverage();
  const col = (f) => [f(r.steady), f(r.joining), f(r.disconnect)];
  printTable(
    `chat-abuse: ${o.clients} clients chatting; one user, ${o.abuseRooms} rooms on ${o.abuseSockets} sockets ` +
      `(load average ${formatLoad(r.loadAverage.start)} → ${formatLoad(r.loadAverage.end)})`,
    ['', 'steady', 'abuser joining', 'abuser disconnected', 'target'],
    [
      ['window (s)', ...col((w) => w.seconds)],
      ['others: send→receive p50 (ms)', ...col((w) => w.latencyMs.p50)],
      ['others: send→receive p99 (ms)', ...col((w) => w.latencyMs.p99)],
      ['others: messages received', ...col((w) => w.received)],
      ['event-loop delay p99 (ms)', ...col((w) => w.eventLoopDelayP99Ms), `< ${ELD_TARGET_MS}`],
      ['event-loop delay max (ms)', ...col((w) => w.eventLoopDelayMaxMs)],
      ['/api/health p50 (ms)', ...col((w) => w.healthMs.p50)],
      ['/api/health max (ms)', ...col((w) => w.healthMs.max)],
      ['/api/health not 200', ...col((w) => w.healthMs.failed)],
      ['abuser: join time (s)', null, r.joining.joinSeconds, null],
      ['abuser: joins refused', null, r.joining.refusedJoins, null],
    ],
  );
  console.log(
    `others connected at the end: ${r.connectedAtEnd}/${r.connected}; unexpected disconnects: ${r.unexpectedDisconnects}`,
  );
  const svg = svgChart(`chat-abuse: ${o.abuseRooms} rooms on ${o.abuseSockets} sockets, then gone`, [
    {
      label: 'event-loop delay p99',
      unit: 'ms',
      bars: [
        { name: 'steady', value: r.steady.eventLoopDelayP99Ms },
        { name: 'abuser joining', value: r.joining.eventLoopDelayP99Ms },
        { name: 'abuser disconnected', value: r.disconnect.eventLoopDelayP99Ms },
        { name: 'target', value: ELD_TARGET_MS },
      ],
    },
    {
      label: "others' send→receive p99",
      unit: 'ms',
      bars: [
        { name: 'steady', value: r.steady.latencyMs.p99 },
        { name: 'abuser joining', value: r.joining.latencyMs.p99 },
        { name: 'abuser disconnected', value: r.disconnect.latencyMs.p99 },
      ],
    },
  ]);
  writeResults('chat-abuse', report, svg);
  return report;
}
