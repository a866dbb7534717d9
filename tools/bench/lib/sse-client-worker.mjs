// A load process (child_process.fork) holding many SSE connections over raw node:http, so the
// parsing stays cheap: publish→receive latency from the tick's `timestamp`, per-tick delivery
// counts for missed ticks, notification ids for loss, and EventSource-like reconnects with
// `Last-Event-ID` after the server's `retry:`.
import { request } from 'node:http';

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

function open(conn) {
  if (closing) return;
  const headers = { accept: 'text/event-stream', authorization: `Bearer ${conn.user.token}` };
  if (conn.lastId) headers['last-event-id'] = conn.lastId;
  const req = request({
    host: '127.0.0.1',
    port,
    path: conn.path,
    localAddress: conn.addr,
    agent: false,
    headers,
  });
  conn.req = req;
  let settled = false;
  const retry = () => {
    if (settled) return;
    settled = true;
    if (conn.connected) unexpectedCloses += closing ? 0 : 1;
    conn.connected = false;
    conn.resolveFirst?.(false);
    conn.resolveFirst = null;
    if (conn.reconnect && !closing) setTimeout(() => open(conn), conn.retry);
  };
  req.on('response', (res) => {
    if (res.statusCode !== 200) {
      errors++;
      if (errorSamples.size < 5) errorSamples.add(`HTTP ${res.statusCode}`);
      res.resume();
      res.on('end', retry);
      res.on('error', retry);
      return;
    }
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
    retry();
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
  for (const c of conns) if (c.connected) connected++;
  return { connected, total: conns.length, unexpectedCloses, errors };
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
