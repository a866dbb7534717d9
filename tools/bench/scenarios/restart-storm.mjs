// restart-storm: --sse SSE streams (--notification-streams of them on the notification stream,
// the rest on the dashboard stream) and --sockets chat sockets on one API; notifications are
// posted all along; the API is killed with SIGKILL and started again on the same port and
// database. Reported: the time from the kill until 99.9 % (and 100 %) of the clients are back,
// the notifications posted (201) that a stream never received after resuming with
// Last-Event-ID (must be 0), and the new process's event-loop delay while the storm lasts.
import { join } from 'node:path';

import { Api, loginAll, sourceAddresses } from '../lib/api.mjs';
import { round } from '../lib/histogram.mjs';
import { loadAverage, requireOpenFiles } from '../lib/machine.mjs';
import { ROOT } from '../lib/paths.mjs';
import { sleep } from '../lib/processes.mjs';
import { printTable, reportHead, svgChart, writeResults } from '../lib/report.mjs';
import { WorkerPool, split } from '../lib/workers.mjs';

export const defaults = {
  sse: 5000,
  // Half on the notification stream (the API runs with NOTIFICATION_STREAMS_PER_USER raised,
  // as thousands of streams share three demo users); the rest on the dashboard stream.
  notificationStreams: 2500,
  sockets: 2000,
  roomSize: 10,
  workers: 2,
  addresses: 4,
  postIntervalMs: 100,
  before: 5,
  after: 5,
  backTimeout: 60,
  drain: 3,
  concurrency: 200,
};

const SSE_WORKER = join(ROOT, 'tools/bench/lib/sse-client-worker.mjs');
const CHAT_WORKER = join(ROOT, 'tools/bench/lib/chat-client-worker.mjs');

/** Posts one notification every `intervalMs`, round-robin over the users; keeps the 201 ids. */
function startPoster(api, users, intervalMs) {
  const posted = new Map(users.map((u) => [u.userId, []]));
  let failed = 0;
  let n = 0;
  let inFlight = 0;
  const timer = setInterval(async () => {
    if (inFlight > 50) return;
    const to = users[n++ % users.length];
    inFlight++;
    try {
      const res = await fetch(`${api.url}/api/notifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${users[0].token}` },
        body: JSON.stringify({ userId: to.userId, title: `storm ${n}`, message: 'restart-storm bench' }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.status === 201) posted.get(to.userId).push((await res.json()).id);
      else failed++;
    } catch {
      failed++;
    } finally {
      inFlight--;
    }
  }, intervalMs);
  return { posted, stop: () => clearInterval(timer), failed: () => failed };
}

export async function run(o) {
  requireOpenFiles(o.sse + o.sockets + 1000);
  const report = reportHead('restart-storm', o);
  const api = await new Api({
    env: { DASHBOARD_TICK_MS: '1000', HEARTBEAT_MS: '30000', NOTIFICATION_STREAMS_PER_USER: '1000000' },
  }).start();
  const sse = new WorkerPool(SSE_WORKER, o.sse ? o.workers : 0);
  const chat = new WorkerPool(CHAT_WORKER, o.sockets ? o.workers : 0);
  let poster;
  try {
    const users = await loginAll(api.url);
    const probe = await fetch(`${api.url}/api/notifications`, {
      headers: { authorization: `Bearer ${users[0].token}` },
    });
    const notifications = probe.status === 200 ? Math.min(o.notificationStreams, o.sse) : 0;
    if (!notifications)
      console.log('restart-storm: no /api/notifications on this build; dashboard streams only');
    const addrs = sourceAddresses(o.addresses);
    const notifCounts = split(notifications, o.workers);
    const dashCounts = split(o.sse - notifications, o.workers);
    const sseConnects = await sse.all((i) => ({
      cmd: 'connect',
      port: api.port,
      addrs,
      groups: [
        { path: '/api/notifications/stream', kind: 'notifications', count: notifCounts[i] },
        { path: '/api/dashboard/stream', kind: 'dashboard', count: dashCounts[i] },
      ],
      users,
      reconnect: true,
      concurrency: Math.ceil(o.concurrency / o.workers),
      offset: i * 100_000,
    }));
    const sockCounts = split(o.sockets, o.workers);
    const chatConnects = await chat.all((i) => ({
      cmd: 'connect',
      url: api.url,
      addrs,
      count: sockCounts[i],
      users,
      roomSize: o.roomSize,
      reconnect: true,
      concurrency: Math.ceil(o.concurrency / o.workers / 2),
      offset: sockCounts.slice(0, i).reduce((a, b) => a + b, 0),
    }));
    const total = o.sse + o.sockets;
    const connectedBefore =
      sseConnects.reduce((a, c) => a + c.connected, 0) + chatConnects.reduce((a, c) => a + c.connected, 0);
    console.log(`restart-storm: ${connectedBefore}/${total} connected; posting notifications…`);
    const status = async () => {
      const s = [...(await sse.all({ cmd: 'status' })), ...(await chat.all({ cmd: 'status' }))];
      return s.reduce((a, x) => a + x.connected, 0);
    };

    poster = notifications
      ? startPoster(api, users, o.postIntervalMs)
      : { posted: new Map(), stop: () => undefined, failed: () => 0 };
    await sleep(o.before * 1000);
    const cpuBefore = api.stat().cpu;

    const killedAt = Date.now();
    await api.stop('SIGKILL');
    const restartAt = Date.now();
    await api.start();
    const healthyAt = api.readyAt;
    console.log(`  killed; healthy again after ${healthyAt - killedAt} ms`);

    let back999 = null;
    let back100 = null;
    let connected = 0;
    const curve = [];
    const deadline = Date.now() + o.backTimeout * 1000;
    while (Date.now() < deadline) {
      connected = await status();
      const t = Date.now() - killedAt;
      curve.push([t, connected]);
      if (back999 === null && connected >= Math.ceil(0.999 * total)) back999 = t;
      if (connected >= total) {
        back100 = t;
        break;
      }
      await sleep(100);
    }
    const stormEnd = Date.now();
    await sleep(o.after * 1000);
    poster.stop();
    await sleep(o.drain * 1000); // the last notifications reach the streams
    const sseReports = await sse.all({ cmd: 'report' });
    const chatReports = await chat.all({ cmd: 'report' });

    let expected = 0;
    let lost = 0;
    for (const r of sseReports) {
      for (const [userId, streams] of Object.entries(r.notifications)) {
        const ids = poster.posted.get(Number(userId)) ?? [];
        for (const received of streams) {
          const got = new Set(received);
          expected += ids.length;
          for (const id of ids) if (!got.has(id)) lost++;
        }
      }
    }
    const storm = api.statsSince(restartAt).filter((s) => s.t <= stormEnd + 1000);
    const posted = [...poster.posted.values()].reduce((a, l) => a + l.length, 0);
    const result = {
      sse: o.sse,
      notificationStreams: notifications,
      sockets: o.sockets,
      connectedBefore,
      restartToHealthyMs: healthyAt - killedAt,
      back999Ms: back999,
      back100Ms: back100,
      connectedAtEnd: connected,
      notificationsPosted: posted,
      notificationPostsFailed: poster.failed(),
      notificationDeliveriesExpected: expected,
      notificationsLost: lost,
      eventLoopDelayP99Ms: storm.length ? round(Math.max(...storm.map((s) => s.eldP99))) : null,
      eventLoopDelayMaxMs: storm.length ? round(Math.max(...storm.map((s) => s.eldMax))) : null,
      serverCpuSecondsBeforeKill: round(cpuBefore, 2),
      sseUnexpectedCloses: sseReports.reduce((a, r) => a + r.unexpectedCloses, 0),
      chatUnexpectedDisconnects: chatReports.reduce((a, r) => a + r.unexpectedDisconnects, 0),
      errorSamples: [...new Set([...sseReports, ...chatReports].flatMap((r) => r.errorSamples))],
      curve,
    };
    report.summary = result;
    report.targets = { back999Ms: 10_000, notificationsLost: 0 };
    report.loadAverageAfter = loadAverage();

    printTable(
      `restart-storm: ${o.sse} SSE (${notifications} notification) + ${o.sockets} sockets, kill -9`,
      ['', 'measured', 'target'],
      [
        ['connected before', `${connectedBefore}/${total}`, null],
        ['kill → healthy (ms)', result.restartToHealthyMs, null],
        ['kill → 99.9 % back (ms)', back999, '< 10000'],
        ['kill → 100 % back (ms)', back100, null],
        ['notifications posted (201)', posted, null],
        ['notification deliveries expected', expected, null],
        ['notifications lost', lost, '0'],
        ['event-loop delay p99 in storm (ms)', result.eventLoopDelayP99Ms, null],
        ['event-loop delay max in storm (ms)', result.eventLoopDelayMaxMs, null],
      ],
    );
    const svg = svgChart(`restart-storm: ${total} clients, kill -9 and restart`, [
      {
        label: 'time until back',
        unit: 'ms',
        bars: [
          { name: 'healthy', value: result.restartToHealthyMs },
          { name: '99.9 % back', value: back999 },
          { name: '100 % back', value: back100 },
          { name: 'target 99.9 %', value: 10_000 },
        ],
      },
      {
        label: 'notifications',
        unit: '',
        bars: [
          { name: 'expected deliveries', value: expected },
          { name: 'lost', value: lost },
        ],
      },
      {
        label: 'event-loop delay in storm',
        unit: 'ms',
        bars: [
          { name: 'p99', value: result.eventLoopDelayP99Ms },
          { name: 'max', value: result.eventLoopDelayMaxMs },
        ],
      },
    ]);
    writeResults('restart-storm', report, svg);
    return report;
  } finally {
    poster?.stop();
    await sse.close();
    await chat.close();
    await api.dispose();
  }
}
