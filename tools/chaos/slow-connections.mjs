#!/usr/bin/env node
// Slow-connection attack from one address while a normal client keeps working.
//
//   npx nx build api
//   node tools/chaos/slow-connections.mjs [--attackers 5000] [--duration 15] [--unguarded]
//   node tools/chaos/slow-connections.mjs --url http://127.0.0.1:3000 ...   (an API already running)
//
// Without --url it starts the built API (dist/apps/api/main.js, fresh SQLite, no loopback
// address trusted as a proxy so that the per-address cap applies) with a file-descriptor limit of
// --fd-limit (default 4096), the way a small server runs. --unguarded starts it with the cap and
// the header timeout out of reach (the behaviour before they existed), for comparison.
//
// The attacker opens --attackers connections from --attacker-address (default 127.0.0.2), each
// sending the start of a request and then nothing, and opens a new one --reopen-ms (1000) after
// one is closed, for --duration seconds (--attackers at most 30,000, --duration at most 120). Meanwhile a normal client at 127.0.0.1 logs in and reads the snapshot
// over and over (signed in before). Prints what each side got and the load average (the figures depend on it).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

// The normal client runs on its own thread: the attacker's thousands of sockets must not slow
// its event loop, or the figure would measure this tool instead of the API.
if (!isMainThread) {
  const { url, token, durationMs } = workerData;
  const client = { ok: 0, failed: 0, latencies: [], errors: {} };
  const until = Date.now() + durationMs;
  while (Date.now() < until) {
    const started = performance.now();
    try {
      const snap = await fetch(`${url}/api/dashboard/snapshot`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(10_000),
      });
      if (!snap.ok) throw new Error(`snapshot ${snap.status}`);
      await snap.json();
      client.ok++;
      client.latencies.push(performance.now() - started);
    } catch (err) {
      client.failed++;
      const key = String(err?.cause?.code ?? err?.name ?? err);
      client.errors[key] = (client.errors[key] ?? 0) + 1;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  parentPort.postMessage(client);
  process.exit(0);
}

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    attackers: { type: 'string', default: '5000' },
    duration: { type: 'string', default: '15' },
    'attacker-address': { type: 'string', default: '127.0.0.2' },
    'fd-limit': { type: 'string', default: '4096' },
    unguarded: { type: 'boolean', default: false },
    'reopen-ms': { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});
const ATTACKERS = Math.min(Number(opts.attackers), 30_000);
const DURATION_MS = Math.min(Number(opts.duration), 120) * 1000;
if (!(ATTACKERS > 0 && DURATION_MS > 0)) throw new Error('--attackers and --duration must be positive');

const root = resolve(new URL('../..', import.meta.url).pathname);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function freePort() {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  return port;
}

async function startApi() {
  const dir = mkdtempSync(join(tmpdir(), 'rt-slow-'));
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    JWT_SECRET: 'slow-connections-0123456789abcdef0123456789',
    DEMO: 'true',
    SIMULATOR: 'false',
    LOG_LEVEL: 'error',
    LOGIN_RATE_LIMIT: '1000000',
    REFRESH_RATE_PER_S: '100000',
    ORDER_RATE_PER_S: '100000',
    PORT: String(port),
    HOST: '0.0.0.0',
    DATABASE_URL: `sqlite:${join(dir, 'slow.db')}`,
    TRUST_PROXY: '10.255.255.1',
    ...(opts.unguarded ? { MAX_CONNECTIONS_PER_ADDRESS: '1000000', HEADERS_TIMEOUT_MS: '600000' } : {}),
  };
  const main = join(root, 'dist/apps/api/main.js');
  const child = spawn('sh', ['-c', `ulimit -n ${Number(opts['fd-limit'])} && exec node "${main}"`], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 300) throw new Error('API did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    env,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const api = opts.url ? { url: opts.url, stop: async () => undefined } : await startApi();
const target = new URL(api.url);
const stats = { opened: 0, refused429: 0, timedOut408: 0, resetOrError: 0, maxHeld: 0, held: 0 };
let stopping = false;

function attacker() {
  if (stopping) return;
  stats.opened++;
  const socket = connect({
    port: Number(target.port),
    host: target.hostname,
    localAddress: opts['attacker-address'],
  });
  let answer = '';
  let counted = false;
  socket.setEncoding('utf8');
  socket.on('connect', () => {
    stats.held++;
    counted = true;
    stats.maxHeld = Math.max(stats.maxHeld, stats.held);
    socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  });
  socket.on('data', (d) => (answer += d));
  socket.on('error', () => (answer ||= 'error'));
  socket.on('close', () => {
    if (counted) stats.held--;
    if (answer.startsWith('HTTP/1.1 429')) stats.refused429++;
    else if (answer.startsWith('HTTP/1.1 408')) stats.timedOut408++;
    else stats.resetOrError++;
    // Keep the pressure on: every closed connection is replaced after --reopen-ms (0 turns the
    // attack into a connection flood, which belongs to the proxy's or the firewall's rate limits).
    if (!stopping) setTimeout(attacker, Number(opts['reopen-ms']));
  });
}

async function signIn() {
  const login = await fetch(`${api.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'demo-password' }),
  });
  if (!login.ok) throw new Error(`login ${login.status}`);
  return (await login.json()).accessToken;
}
const token = await signIn();
const loadBefore = load();
console.log(
  `slow-connections: ${ATTACKERS} half-sent requests from ${opts['attacker-address']} for ${DURATION_MS / 1000} s ` +
    `against ${api.url}${opts.url ? '' : ` (${opts.unguarded ? 'UNGUARDED' : 'guarded'}, fd limit ${opts['fd-limit']})`}; load ${loadBefore}`,
);
// Open them in batches of 500 so the attacker itself is not the bottleneck.
for (let i = 0; i < ATTACKERS; i++) {
  attacker();
  if (i % 500 === 499) await new Promise((r) => setImmediate(r));
}
const worker = new Worker(new URL(import.meta.url), {
  workerData: { url: api.url, token, durationMs: DURATION_MS },
});
const [client] = await once(worker, 'message');
stopping = true;

const sorted = client.latencies.sort((a, b) => a - b);
const pct = (p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(0) : '-';
const result = {
  mode: opts.url ? 'external' : opts.unguarded ? 'unguarded' : 'guarded',
  attackers: ATTACKERS,
  durationS: DURATION_MS / 1000,
  attacker: { ...stats, held: undefined },
  normalClient: {
    ok: client.ok,
    failed: client.failed,
    errors: client.errors,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    maxMs: sorted.length ? sorted.at(-1).toFixed(0) : '-',
  },
  loadBefore,
  loadAfter: load(),
};
if (opts.json) console.log(JSON.stringify(result));
else {
  console.log(
    `attacker: ${stats.opened} connections opened, at most ${stats.maxHeld} open at once; ` +
      `${stats.refused429} refused (429), ${stats.timedOut408} cut after the header timeout (408), ` +
      `${stats.resetOrError} reset or failed`,
  );
  console.log(
    `normal client (GET /api/dashboard/snapshot): ${client.ok} ok, ${client.failed} failed` +
      (client.failed ? ` ${JSON.stringify(result.normalClient.errors)}` : '') +
      `; latency p50 ${result.normalClient.p50Ms} ms, p99 ${result.normalClient.p99Ms} ms, max ${result.normalClient.maxMs} ms`,
  );
  console.log(`load average before ${loadBefore}, after ${result.loadAfter}`);
}
await api.stop();
process.exit(0);
