// restart-storm: --dashboard-streams on the dashboard stream, --notification-streams on the
// notification stream and --sockets chat sockets on one API (the defaults are issue 13's: 5,000 +
// 2,500 + 2,000); notifications are posted all along; the API is killed with SIGKILL and started
// again on the same port and database. Reported: the time from the kill until 99.9 % (and 100 %)
// of the clients are back, the notifications posted (201) that a stream never received after
// resuming with Last-Event-ID (must be 0), the new process's event-loop delay while the storm
// lasts, and the load average at the start, at the kill and at the end. --runs N repeats the whole
// run on a fresh API each time and reports every run and the worst.
import { join } from 'node:path';

import { Api, loginAll, sourceAddresses } from '../lib/api.mjs';
import { CLIENT_POLICIES, dashboardBackoff } from '../lib/client-policy.mjs';
import { round } from '../lib/histogram.mjs';
import { formatLoad, loadAverage, requireOpenFiles } from '../lib/machine.mjs';
import { ROOT } from '../lib/paths.mjs';
import { procStat, sleep } from '../lib/processes.mjs';
import { printTable, reportHead, svgChart, writeResults } from '../lib/report.mjs';
import { WorkerPool, split } from '../lib/workers.mjs';

export const defaults = {
  dashboardStreams: 5000,
  // The API runs with NOTIFICATION_STREAMS_PER_USER raised: thousands of streams share three demo users.
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
  runs: 1,
  // How clients come back (lib/client-policy.mjs): `dashboard`, the product's own client (its
  // backoff, five tries, then it gives up), or `eventsource` (the server's `retry:`; socket.io's
  // own reconnection).
  clientPolicy: 'dashboard',
  // With the dashboard policy: its jitter instead of the product's (an experiment; '' keeps it).
  clientJitter: '',
  // A directory: the restarted API runs with `node --cpu-prof` (its profile covers the storm).
  cpuProf: '',
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

async function storm(o) {
  const loadAtStart = loadAverage();
  const backoff = o.clientPolicy === 'dashboard' ? dashboardBackoff(ROOT) : null;
  if (backoff && o.clientJitter !== '') backoff.jitter = Number(o.clientJitter);
  const api = await new Api({
    env: { DASHBOARD_TICK_MS: '1000', HEARTBEAT_MS: '30000', NOTIFICATION_STREAMS_PER_USER: '1000000' },
  }).start();
  const sse = new WorkerPool(SSE_WORKER, o.dashboardStreams + o.notificationStreams ? o.workers : 0);
  const chat = new WorkerPool(CHAT_WORKER, o.sockets ? o.workers : 0);
  let poster;
  try {
    const users = await loginAll(api.url);
    const probe = await fetch(`${api.url}/api/notifications`, {
      headers: { authorization: `Bearer ${users[0].token}` },
    });
    const notifications = probe.status === 200 ? o.notificationStreams : 0;
    if (!notifications)
      console.log('restart-storm: no /api/notifications on this build; dashboard streams only');
    const addrs = sourceAddresses(o.addresses);
    const notifCounts = split(notifications, o.workers);
    const dashCounts = split(o.dashboardStreams, o.workers);
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
      backoff,
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
      backoff,
      concurrency: Math.ceil(o.concurrency / o.workers / 2),
      offset: sockCounts.slice(0, i).reduce((a, b) => a + b, 0),
    }));
    const total = o.dashboardStreams + notifications + o.sockets;
    const connectedBefore =
      sseConnects.reduce((a, c) => a + c.connected, 0) + chatConnects.reduce((a, c) => a + c.connected, 0);
    console.log(`restart-storm: ${connectedBefore}/${total} connected; posting notifications…`);
    const byKind = { notifications: 0, dashboard: 0, sockets: 0 };
    let givenUp = 0;
    const status = async () => {
      const [s, c] = await Promise.all([sse.all({ cmd: 'status' }), chat.all({ cmd: 'status' })]);
      givenUp = [...s, ...c].reduce((a, x) => a + (x.givenUp ?? 0), 0);
      byKind.notifications = s.reduce((a, x) => a + (x.byKind?.notifications ?? 0), 0);
      byKind.dashboard = s.reduce((a, x) => a + (x.byKind?.dashboard ?? 0), 0);
      byKind.sockets = c.reduce((a, x) => a + x.connected, 0);
      return [...s, ...c].reduce((a, x) => a + x.connected, 0);
    };

    poster = notifications
      ? startPoster(api, users, o.postIntervalMs)
      : { posted: new Map(), stop: () => undefined, failed: () => 0 };
    await sleep(o.before * 1000);
    const cpuBefore = api.stat().cpu;

    await Promise.all([sse.all({ cmd: 'trace-attempts' }), chat.all({ cmd: 'trace-attempts' })]);
    const loadPids = [...sse.pids, ...chat.pids];
    const cpuOf = (pids) => pids.reduce((a, pid) => a + (procStat(pid).cpu || 0), 0);
    // From the kill: the load processes' work while the new API starts competes with it.
    const loadCpu0 = cpuOf(loadPids);
    const loadAtKill = loadAverage();
    const killedAt = Date.now();
    await api.stop('SIGKILL');
    const restartAt = Date.now();
    if (o.cpuProf) api.nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf}`];
    await api.start();
    const healthyAt = api.readyAt;
    const loadCpuAtHealthy = round(cpuOf(loadPids) - loadCpu0, 2);
    console.log(`  killed; healthy again after ${healthyAt - killedAt} ms`);

    let back999 = null;
    let back100 = null;
    let connected = 0;
    const curve = [];
    // Per poll: the clients back by kind, and the CPU (s) the new API and the load processes
    // have used since the kill: which side the storm waits for.
    const detail = [];
    const deadline = Date.now() + o.backTimeout * 1000;
    while (Date.now() < deadline) {
      connected = await status();
      const t = Date.now() - killedAt;
      curve.push([t, connected]);
      detail.push({
        t,
        ...byKind,
        apiCpuS: round(procStat(api.pid).cpu || 0, 2),
        loadCpuS: round(cpuOf(loadPids) - loadCpu0, 2),
      });
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
    const attempts = (reports) => {
      // Per outcome: how many attempts, when they started (ms after the kill), how long they took.
      const by = {};
      for (const [start, end, what] of reports.flatMap((r) => r.attempts ?? [])) {
        const o = (by[what || 'pending'] ??= { n: 0, startMs: [], tookMs: [] });
        o.n++;
        o.startMs.push(start - killedAt);
        if (end) o.tookMs.push(end - start);
      }
      const q = (l, f) =>
        l.length ? l.sort((a, b) => a - b)[Math.min(l.length - 1, Math.floor(f * l.length))] : null;
      return Object.fromEntries(
        Object.entries(by).map(([k, o]) => [
          k,
          {
            n: o.n,
            startP10P50P90: [q(o.startMs, 0.1), q(o.startMs, 0.5), q(o.startMs, 0.9)],
            tookP50P90Max: [q(o.tookMs, 0.5), q(o.tookMs, 0.9), q(o.tookMs, 1)],
          },
        ]),
      );
    };
    const storm = api.statsSince(restartAt).filter((s) => s.t <= stormEnd + 1000);
    const posted = [...poster.posted.values()].reduce((a, l) => a + l.length, 0);
    const result = {
      dashboardStreams: o.dashboardStreams,
      notificationStreams: notifications,
      sockets: o.sockets,
      clients: total,
      connectedBefore,
      restartToHealthyMs: healthyAt - killedAt,
      loadProcessesCpuSecondsKillToHealthy: loadCpuAtHealthy,
      back999Ms: back999,
      back100Ms: back100,
      connectedAtEnd: connected,
      clientPolicy: o.clientPolicy,
      clientBackoff: backoff,
      clientsGaveUp: givenUp,
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
      curveDetail: detail,
      attempts: { sse: attempts(sseReports), sockets: attempts(chatReports) },
    };
    for (const r of [...sseReports, ...chatReports]) delete r.attempts;
    result.loadAverage = { start: loadAtStart, kill: loadAtKill, end: loadAverage() };
    return result;
  } finally {
    poster?.stop();
    await sse.close();
    await chat.close();
    await api.dispose();
  }
}

const TARGETS = { back999Ms: 10_000, notificationsLost: 0 };

/** The worst of the runs: the longest times (none if a run never got there), the most lost. */
export function worstOf(results) {
  const longest = (key) =>
    results.some((r) => r[key] == null) ? null : Math.max(...results.map((r) => r[key]));
  const most = (key) =>
    results.every((r) => r[key] == null) ? null : Math.max(...results.map((r) => r[key] ?? 0));
  return {
    runs: results.length,
    clients: results[0].clients,
    restartToHealthyMs: longest('restartToHealthyMs'),
    back999Ms: longest('back999Ms'),
    back100Ms: longest('back100Ms'),
    connectedAtEnd: Math.min(...results.map((r) => r.connectedAtEnd)),
    notificationDeliveriesExpected: Math.min(...results.map((r) => r.notificationDeliveriesExpected)),
    notificationsLost: most('notificationsLost'),
    eventLoopDelayP99Ms: most('eventLoopDelayP99Ms'),
    eventLoopDelayMaxMs: most('eventLoopDelayMaxMs'),
    loadAverageMax: Math.max(...results.flatMap((r) => Object.values(r.loadAverage).map((l) => l[0]))),
  };
}

export async function run(o) {
  if (!CLIENT_POLICIES.includes(o.clientPolicy)) {
    throw new Error(`--client-policy ${o.clientPolicy}: one of ${CLIENT_POLICIES.join(', ')}`);
  }
  requireOpenFiles(o.dashboardStreams + o.notificationStreams + o.sockets + 1000);
  const report = reportHead('restart-storm', o);
  const results = [];
  for (let i = 1; i <= o.runs; i++) {
    console.log(`restart-storm: run ${i}/${o.runs}, load average ${formatLoad(loadAverage())}`);
    results.push({ run: i, ...(await storm(o)) });
  }
  const worst = worstOf(results);
  const back = worst.back999Ms;
  report.runs = results;
  report.summary = {
    ...worst,
    met: {
      back999Ms: back != null && back < TARGETS.back999Ms,
      notificationsLost: worst.notificationsLost === TARGETS.notificationsLost,
    },
  };
  report.targets = TARGETS;
  report.loadAverageAfter = loadAverage();

  const r0 = results[0];
  const many = results.length > 1;
  const mark = (ok) => (ok ? '✅' : '❌');
  const load = (at) => [
    `load average at ${at === 'start' ? 'start (1, 5, 15 min)' : `the ${at}`}`,
    ...results.map((r) => formatLoad(r.loadAverage[at])),
    ...(many ? [formatLoad(worstLoad(results, at))] : []),
    null,
    '',
  ];
  // [label, per run, key of the worst (summary), target, met]
  const figure = (label, f, key, target = null, met = '') => [
    label,
    ...results.map(f),
    ...(many ? [key ? (worst[key] ?? 'not back') : null] : []),
    target,
    met,
  ];
  printTable(
    `restart-storm: ${r0.dashboardStreams} dashboard + ${r0.notificationStreams} notification streams + ` +
      `${r0.sockets} sockets, kill -9, ${o.clientPolicy} clients${o.busy ? `, ${o.busy} busy process(es)` : ''}`,
    ['', ...results.map((r) => `run ${r.run}`), ...(many ? ['worst'] : []), 'target', ''],
    [
      load('start'),
      load('kill'),
      load('end'),
      figure('connected before', (r) => `${r.connectedBefore}/${r.clients}`),
      figure('kill → healthy (ms)', (r) => r.restartToHealthyMs, 'restartToHealthyMs'),
      figure(
        'kill → 99.9 % back (ms)',
        (r) => r.back999Ms ?? 'not back',
        'back999Ms',
        '< 10000',
        mark(report.summary.met.back999Ms),
      ),
      figure('kill → 100 % back (ms)', (r) => r.back100Ms ?? 'not back', 'back100Ms'),
      figure('connected at the end', (r) => `${r.connectedAtEnd}/${r.clients}`),
      figure('clients that gave up (dashboard policy)', (r) => r.clientsGaveUp),
      figure('notifications posted (201)', (r) => r.notificationsPosted),
      figure('notification deliveries expected', (r) => r.notificationDeliveriesExpected),
      figure(
        'notifications lost',
        (r) => r.notificationsLost,
        'notificationsLost',
        '0',
        mark(report.summary.met.notificationsLost),
      ),
      figure('event-loop delay p99 in storm (ms)', (r) => r.eventLoopDelayP99Ms, 'eventLoopDelayP99Ms'),
      figure('event-loop delay max in storm (ms)', (r) => r.eventLoopDelayMaxMs, 'eventLoopDelayMaxMs'),
    ],
  );
  const svg = svgChart(
    `restart-storm: ${r0.clients} clients, kill -9 and restart (worst of ${results.length})`,
    [
      {
        label: 'time until back',
        unit: 'ms',
        bars: [
          { name: 'healthy', value: worst.restartToHealthyMs },
          { name: '99.9 % back', value: worst.back999Ms },
          { name: '100 % back', value: worst.back100Ms },
          { name: 'target 99.9 %', value: TARGETS.back999Ms },
        ],
      },
      {
        label: 'notifications',
        unit: '',
        bars: [
          { name: 'expected deliveries', value: worst.notificationDeliveriesExpected },
          { name: 'lost', value: worst.notificationsLost },
        ],
      },
      {
        label: 'event-loop delay in storm',
        unit: 'ms',
        bars: [
          { name: 'p99', value: worst.eventLoopDelayP99Ms },
          { name: 'max', value: worst.eventLoopDelayMaxMs },
        ],
      },
    ],
  );
  writeResults('restart-storm', report, svg);
  return report;
}

/** The highest load average (1, 5 and 15 min each) at `at` over the runs. */
const worstLoad = (results, at) =>
  [0, 1, 2].map((k) => Math.max(...results.map((r) => r.loadAverage[at][k])));
