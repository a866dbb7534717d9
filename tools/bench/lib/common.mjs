// What every scenario shares: arguments, processes and their /proc figures, the built API,
// latency histograms, the printed table and the files under bench-results/.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? join(ROOT, 'bench-results');
export const API_MAIN = process.env.BENCH_API_MAIN ?? join(ROOT, 'dist/apps/api/main.js');
export const PRELOAD = join(ROOT, 'tools/bench/lib/preload.cjs');
export const JWT_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
export const DEMO_USERS = ['alice', 'bob', 'carol'];
const CLOCK_TICKS = 100; // USER_HZ on Linux

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `--name value`, `--name=value`, bare `--flag` (true) and `--no-flag`; numbers where the default is one. */
export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    let [key, value] = a.slice(2).split('=', 2);
    if (value === undefined) value = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    key = key.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (key.startsWith('no') && typeof defaults[key[2]?.toLowerCase() + key.slice(3)] === 'boolean') {
      if (value !== 'true') i--; // `--no-build` takes no value
      key = key[2].toLowerCase() + key.slice(3);
      value = 'false';
    }
    if (!(key in defaults)) throw new Error(`unknown option --${a.slice(2).split('=')[0]}`);
    out[key] =
      typeof defaults[key] === 'number'
        ? Number(value)
        : typeof defaults[key] === 'boolean'
          ? value !== 'false'
          : value;
    if (typeof defaults[key] === 'number' && !Number.isFinite(out[key]))
      throw new Error(`--${key}: not a number`);
  }
  return out;
}

export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** CPU seconds (user + system) and RSS bytes of a process, from /proc. */
export function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { cpu, rss: rssKb * 1024 };
  } catch {
    return { cpu: NaN, rss: NaN };
  }
}

export function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

/** Latencies in 0.1 ms buckets up to 10 s (above that in the last one), with the exact max. */
export class Histogram {
  static BUCKETS = 100_001;
  constructor() {
    this.counts = new Uint32Array(Histogram.BUCKETS);
    this.count = 0;
    this.max = 0;
    this.sum = 0;
  }
  add(ms) {
    const v = ms < 0 ? 0 : ms;
    this.counts[Math.min(Histogram.BUCKETS - 1, Math.round(v * 10))]++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }
  /** Sparse, for IPC. */
  toJSON() {
    const nz = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]) nz.push(i, this.counts[i]);
    return { nz, count: this.count, max: this.max, sum: this.sum };
  }
  merge(json) {
    for (let i = 0; i < json.nz.length; i += 2) this.counts[json.nz[i]] += json.nz[i + 1];
    this.count += json.count;
    this.sum += json.sum;
    if (json.max > this.max) this.max = json.max;
    return this;
  }
  percentile(p) {
    if (!this.count) return null;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i === Histogram.BUCKETS - 1 ? this.max : i / 10;
    }
    return this.max;
  }
  summary() {
    return {
      samples: this.count,
      p50: this.percentile(50),
      p99: this.percentile(99),
      max: this.count ? round(this.max) : null,
      mean: this.count ? round(this.sum / this.count) : null,
    };
  }
}

export const round = (v, d = 1) => (v == null || !Number.isFinite(v) ? v : Math.round(v * 10 ** d) / 10 ** d);

/** Every server child still running: killed when the bench exits, however it exits. */
const liveChildren = new Set();
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** A Node server started with the bench preload (forced GC on SIGWINCH, per-second stats). */
export class ServerProcess {
  constructor(script, { env = {}, args = [], nodeArgs = [], name = 'server' } = {}) {
    this.script = script;
    this.env = env;
    this.args = args;
    this.nodeArgs = nodeArgs;
    this.name = name;
    this.output = '';
    this.statsFile = join(mkdtempSync(join(tmpdir(), 'rt-bench-stats-')), 'stats.jsonl');
    this.gcFile = this.statsFile.replace('stats.jsonl', 'gc.jsonl');
  }

  start() {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '-r', PRELOAD, ...this.nodeArgs, this.script, ...this.args],
      {
        env: {
          PATH: process.env.PATH ?? '',
          BENCH_STATS_FILE: this.statsFile,
          BENCH_GC_FILE: this.gcFile,
          ...this.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: ROOT,
      },
    );
    child.stdout.on('data', (d) => (this.output = (this.output + d).slice(-20_000)));
    child.stderr.on('data', (d) => (this.output = (this.output + d).slice(-20_000)));
    this.child = child;
    liveChildren.add(child);
    child.once('exit', () => liveChildren.delete(child));
    this.startedAt = Date.now();
    return this;
  }

  get pid() {
    return this.child?.pid;
  }

  get running() {
    return this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  stat() {
    return procStat(this.pid);
  }

  /** Two full collections, then RSS as /proc reports it. */
  async rssAfterGc() {
    return (await this.memoryAfterGc()).rss;
  }

  /** RSS (from /proc) and the JS heap in use (from the preload's line), after two full GCs. */
  async memoryAfterGc() {
    this.child.kill('SIGWINCH');
    await sleep(Number(process.env.BENCH_GC_WAIT_MS ?? 1500));
    let heapUsed = NaN;
    try {
      const lines = readFileSync(this.gcFile, 'utf8').trim().split('\n');
      heapUsed = JSON.parse(lines[lines.length - 1]).heapUsed;
    } catch {
      // no line yet
    }
    return { rss: this.stat().rss, heapUsed };
  }

  /** The per-second lines of the preload written since `since` (epoch ms). */
  statsSince(since = 0) {
    try {
      return readFileSync(this.statsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((s) => s.t >= since);
    } catch {
      return [];
    }
  }

  async waitHttp(url, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.output}`);
      try {
        const res = await fetch(url);
        if (res.status === 200) return Date.now();
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.output}`);
      await sleep(50);
    }
  }

  async stop(signal = 'SIGTERM') {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The built API on a free port with a fresh SQLite file, tuned for load (see docs/benchmarks.md). */
export class Api extends ServerProcess {
  constructor({ env = {}, nodeArgs = [], port } = {}) {
    super(API_MAIN, { nodeArgs, name: 'api' });
    this.dir = mkdtempSync(join(tmpdir(), 'rt-bench-api-'));
    this.fixedPort = port;
    this.extraEnv = env;
  }

  async start() {
    this.port ??= this.fixedPort ?? (await freePort());
    this.url = `http://127.0.0.1:${this.port}`;
    this.env = {
      NODE_ENV: 'production',
      PORT: String(this.port),
      HOST: '127.0.0.1',
      JWT_SECRET,
      JWT_TTL_S: '86400',
      DATABASE_URL: `sqlite:${join(this.dir, 'bench.db')}`,
      DEMO: 'true',
      SIMULATOR: 'false',
      LOG_LEVEL: 'warn',
      LOGIN_RATE_LIMIT: '1000000',
      DASHBOARD_TICK_MS: '1000',
      HEARTBEAT_MS: '30000',
      CHAT_RATE_PER_S: '100000',
      CHAT_RATE_BURST: '100000',
      // Thousands of clients share three demo users: the per-user limits would refuse them.
      MAX_CONNECTIONS_PER_USER: '10000',
      NOTIFICATION_STREAMS_PER_USER: '1000000',
      // …and the chat's per-user caps and buckets (joins create the bench's rooms).
      CHAT_JOIN_RATE_PER_S: '100000',
      CHAT_JOIN_RATE_BURST: '100000',
      CHAT_TYPING_RATE_PER_S: '100000',
      CHAT_TYPING_RATE_BURST: '100000',
      CHAT_CREATE_RATE_PER_MIN: '1000000',
      CHAT_CREATE_RATE_BURST: '1000000',
      CHAT_ROOMS_CREATED_MAX: '1000000',
      CHAT_ROOMS_JOINED_MAX: '1000000',
      NOTIFY_RATE_PER_S: '100000',
      NOTIFY_RATE_BURST: '100000',
      REFRESH_RATE_PER_S: '100000',
      REFRESH_RATE_BURST: '100000',
      ORDER_RATE_PER_S: '100000',
      ORDER_RATE_BURST: '100000',
      // The bench's own thresholds would otherwise flip systemStatus under load; irrelevant here.
      EVENT_LOOP_DELAY_MS_THRESHOLD: '60000',
      ...this.extraEnv,
    };
    super.start();
    this.readyAt = await this.waitHttp(`${this.url}/api/health`);
    return this;
  }

  async dispose() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function login(url, username, password = 'demo-password') {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return { token: body.accessToken, userId: body.user.id, username, role: body.user.role };
}

export function loginAll(url) {
  return Promise.all(DEMO_USERS.map((u) => login(url, u)));
}

/** 127.0.0.2 … 127.0.0.(n+1): source addresses for client sockets, past the ephemeral-port limit. */
export function sourceAddresses(n) {
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 2}`);
}

export function versions() {
  const pkg = (name) => {
    try {
      return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  return {
    node: process.version,
    nestjs: pkg('@nestjs/core'),
    'socket.io': pkg('socket.io'),
    'socket.io-client': pkg('socket.io-client'),
    angular: pkg('@angular/core'),
    'playwright-core': pkg('playwright-core'),
  };
}

export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown';
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  return {
    cpu: model,
    cores,
    memoryGb: round(memKb / 1024 / 1024),
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
  };
}

/** Prints `rows` ([label, ...cells]) under `head` as an aligned table. */
export function printTable(title, head, rows) {
  const all = [head, ...rows].map((r) => r.map((c) => (c == null ? '–' : String(c))));
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(all[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of all.slice(1)) console.log(line(r));
}

/**
 * A bar chart: one panel per metric, one bar per series (ours, baseline, target), each panel
 * scaled to its own largest value.
 */
export function svgChart(title, panels) {
  const width = 760;
  const barH = 18;
  const labelW = 230;
  const colors = ['#2563eb', '#9ca3af', '#16a34a', '#f59e0b'];
  let y = 40;
  const parts = [];
  for (const panel of panels) {
    parts.push(`<text x="10" y="${y + 12}" font-size="13" font-weight="600">${esc(panel.label)}</text>`);
    y += 20;
    const max = Math.max(1e-9, ...panel.bars.map((b) => b.value ?? 0));
    panel.bars.forEach((b, i) => {
      const w = b.value == null ? 0 : Math.max(1, ((width - labelW - 110) * b.value) / max);
      parts.push(`<text x="20" y="${y + 13}" font-size="12">${esc(b.name)}</text>`);
      parts.push(
        `<rect x="${labelW}" y="${y}" width="${w}" height="${barH - 4}" fill="${b.color ?? colors[i % colors.length]}"/>`,
      );
      parts.push(
        `<text x="${labelW + w + 6}" y="${y + 12}" font-size="12">${esc(b.value == null ? 'n/a' : `${fmt(b.value)} ${panel.unit ?? ''}`)}</text>`,
      );
      y += barH;
    });
    y += 12;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="#fff"/>` +
    `<text x="10" y="24" font-size="16" font-weight="700">${esc(title)}</text>${parts.join('')}</svg>\n`
  );
}

const esc = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const fmt = (v) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(round(v, 2)));

/** Writes `<scenario>.json` and `.svg` (the latest) plus a time-stamped JSON copy. */
export function writeResults(scenario, report, svg) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = join(RESULTS_DIR, `${scenario}.json`);
  writeFileSync(file, json);
  writeFileSync(join(RESULTS_DIR, `${scenario}-${stamp}.json`), json);
  writeFileSync(join(RESULTS_DIR, `${scenario}.svg`), svg);
  console.log(`\nwrote ${file} and ${scenario}.svg`);
  return file;
}

/** Common head of every report. */
export function reportHead(scenario, options) {
  return {
    scenario,
    startedAt: new Date().toISOString(),
    options,
    machine: machine(),
    versions: versions(),
    loadAverageBefore: loadAverage(),
  };
}

/** Exits with a hint when this process may not open `needed` descriptors (its children inherit it). */
export function requireOpenFiles(needed) {
  const soft = Number(
    /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? Infinity,
  );
  if (soft < needed) {
    console.error(
      `ulimit -n is ${soft}; this run needs about ${needed}: run \`ulimit -n ${Math.max(65536, needed)}\` first`,
    );
    process.exit(2);
  }
}
