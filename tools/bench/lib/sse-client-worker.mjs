// A load process (child_process.fork) holding many SSE connections over raw node:http, so the
// parsing stays cheap: publish→receive latency from the tick's `timestamp`, per-tick delivery
// counts for missed ticks, notification ids for loss, and reconnects as `policy` says (see
// client-policy.mjs): the dashboard's backoff with `?lastEventId=`, or EventSource-like with
// `Last-Event-ID` after the server's `retry:`.
import { request } from 'node:http';

import { backoffDelay } from './client-policy.mjs';

import { Histogram } from './histogram.mjs';

const conns = [];
let hist = new Histogram();
let tickCounts = new Map();
let measuring = false;
let events = 0;
let bytes = 0;
let closing = false;
let unexpectedCloses = 0;
let errors = 0;
let port = 0;
const errorSamples = new Set();
/** Every attempt once the server has been restarted: [start, end, outcome] (the storm's profile). */
let attempts = null;

let givenUp = 0;

function open(conn) {
  if (closing) return;
  const headers = { accept: 'text/event-stream', authorization: `Bearer ${conn.user.token}` };
  let path = conn.path;
  if (conn.lastId && conn.backoff) {
    // As the dashboard does (sse-connection.ts, withLastEventId): the header is only sent by
    // the browser's own retry, which the dashboard does not use.
    path += `${path.includes('?') ? '&' : '?'}lastEventId=${encodeURIComponent(conn.lastId)}`;
  } else if (conn.lastId) headers['last-event-id'] = conn.lastId;
  const req = request({
    host: '127.0.0.1',
    port,
    path,
    localAddress: conn.addr,
    agent: false,
    headers,
  });
  conn.req = req;
  let settled = false;
  const attempt = attempts ? [Date.now(), 0, ''] : null;
  if (attempt) attempts.push(attempt);
  const outcome = (what) => {
    if (attempt && !attempt[1]) {
      attempt[1] = Date.now();
      attempt[2] = what;
    }
  };
  const retry = (err) => {
    outcome(err?.code ?? 'closed');
    if (settled) return;
    settled = true;
    if (conn.connected) unexpectedCloses += closing ? 0 : 1;
    conn.connected = false;
    conn.resolveFirst?.(false);
    conn.resolveFirst = null;
    if (!conn.reconnect || closing) return;
    if (!conn.backoff) {
      setTimeout(() => open(conn), conn.retry);
      return;
    }
    const delay = backoffDelay(++conn.failures, conn.backoff);
    if (delay === null)
      givenUp++; // the dashboard shows "disconnected" and waits for the user
    else setTimeout(() => open(conn), delay);
  };
  req.on('response', (res) => {
    if (res.statusCode !== 200) {
      outcome(`HTTP ${res.statusCode}`);
      errors++;
      if (errorSamples.size < 5) errorSamples.add(`HTTP ${res.statusCode}`);
      res.resume();
      res.on('end', retry);
      res.on('error', retry);
      return;
    }
    outcome('ok');
    conn.failures = 0; // the dashboard's policy starts again once a connection is open
    conn.connected = true;
    conn.everConnected = true;
    conn.connects++;
    conn.resolveFirst?.(true);
    conn.resolveFirst = null;
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk) => {
      if (measuring) bytes += chunk.length;
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        handle(conn, block);
      }
    });
    res.on('end', retry);
    res.on('close', retry);
    res.on('error', retry);
  });
  req.on('error', (err) => {
    errors++;
    if (errorSamples.size < 5) errorSamples.add(err.code ?? err.message);
    retry(err);
  });
  req.end();
}

function handle(conn, block) {
  let id;
  let event = 'message';
  let data;
  for (const line of block.split('\n')) {
    if (line.startsWith('data: ')) data = data === undefined ? line.slice(6) : `${data}\n${line.slice(6)}`;
    else if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('retry: ')) conn.retry = Number(line.slice(7)) || conn.retry;
  }
  if (id !== undefined) conn.lastId = id;
  if (data === undefined) return;
  const now = Date.now();
  if (measuring) events++; // deliveries inside the measuring window only
  conn.events++;
  if (event === 'metrics') {
    const at = data.lastIndexOf('"timestamp":');
    if (at !== -1 && measuring) {
      hist.add(now - parseInt(data.slice(at + 12), 10));
      tickCounts.set(id, (tickCounts.get(id) ?? 0) + 1);
    }
  } else if (event === 'notification') {
    try {
      conn.notifications.add(JSON.parse(data).id);
    } catch {
      // not ours to judge here
    }
  }
}

async function connect({
  port: p,
  addrs,
  groups,
  users,
  reconnect,
  backoff = null,
  concurrency = 200,
  retryMs = 3000,
  offset = 0,
  connectTimeoutMs = 30_000,
}) {
  port = p;
  const fresh = [];
  let i = offset;
  for (const g of groups) {
    for (let k = 0; k < g.count; k++, i++) {
      fresh.push({
        i,
        path: g.path,
        kind: g.kind,
        user: users[i % users.length],
        addr: addrs[i % addrs.length],
        reconnect,
        backoff,
        failures: 0,
        retry: retryMs,
        connected: false,
        everConnected: false,
        connects: 0,
        events: 0,
        lastId: undefined,
        notifications: new Set(),
      });
    }
  }
  conns.push(...fresh);
  const started = Date.now();
  let next = 0;
  let ok = 0;
  const lane = async () => {
    while (next < fresh.length) {
      const conn = fresh[next++];
      const connected = await new Promise((resolve) => {
        // A server too busy to answer counts the connection as failed rather than stalling the run.
        const timer = setTimeout(() => {
          conn.resolveFirst = null;
          resolve(false);
        }, connectTimeoutMs);
        conn.resolveFirst = (ok) => {
          clearTimeout(timer);
          resolve(ok);
        };
        open(conn);
      });
      if (connected) ok++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, fresh.length) }, lane));
  return { connected: ok, failed: fresh.length - ok, ms: Date.now() - started, errors: [...errorSamples] };
}

function status() {
  let connected = 0;
  const byKind = {};
  for (const c of conns) {
    if (!c.connected) continue;
    connected++;
    byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  }
  return { connected, byKind, total: conns.length, unexpectedCloses, errors, givenUp };
}

function report() {
  const cpu = process.cpuUsage();
  const notifications = {};
  for (const c of conns) {
    if (c.kind !== 'notifications') continue;
    (notifications[c.user.userId] ??= []).push([...c.notifications]);
  }
  return {
    ...status(),
    events,
    bytes,
    hist: hist.toJSON(),
    tickCounts: [...tickCounts],
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rss: process.memoryUsage().rss,
    notifications,
    errorSamples: [...errorSamples],
    attempts: attempts ?? [],
  };
}

process.on('message', async (msg) => {
  let reply;
  switch (msg.cmd) {
    case 'connect':
      reply = await connect(msg);
      break;
    case 'reset':
      hist = new Histogram();
      tickCounts = new Map();
      events = 0;
      bytes = 0;
      measuring = true;
      reply = { ok: true };
      break;
    case 'stop-measuring':
      measuring = false;
      reply = { ok: true };
      break;
    case 'trace-attempts':
      attempts = [];
      reply = { ok: true };
      break;
    case 'status':
      reply = status();
      break;
    case 'report':
      reply = report();
      break;
    case 'close':
      closing = true;
      for (const c of conns) c.req?.destroy();
      reply = { ok: true };
      setTimeout(() => process.exit(0), 50);
      break;
  }
  process.send({ seq: msg.seq, ...reply });
});
process.on('disconnect', () => process.exit(0));
