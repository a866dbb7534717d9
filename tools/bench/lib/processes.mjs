// The processes a run starts (servers under test) and their figures from /proc; every child is
// killed when the bench exits, however it exits.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PRELOAD, ROOT } from './paths.mjs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
          // A build outside the checkout (BENCH_API_MAIN=/elsewhere/main.js) finds its packages here.
          NODE_PATH: join(ROOT, 'node_modules'),
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

  /**
   * RSS (from /proc) and the JS heap in use (from the preload's line), after two full GCs: the
   * preload writes its line once they are done, so this waits for that line (a loaded machine may
   * take seconds), then lets RSS settle for BENCH_GC_WAIT_MS (V8 gives pages back after a GC).
   * A heap of NaN (null in the report) when no line came within 30 s.
   */
  async memoryAfterGc() {
    const asked = Date.now();
    this.child.kill('SIGWINCH');
    let heapUsed = NaN;
    while (Number.isNaN(heapUsed) && Date.now() - asked < 30_000) {
      heapUsed = this.gcLineSince(asked)?.heapUsed ?? NaN;
      if (Number.isNaN(heapUsed)) await sleep(20);
    }
    await sleep(Math.max(0, Number(process.env.BENCH_GC_WAIT_MS ?? 1500) - (Date.now() - asked)));
    return { rss: this.stat().rss, heapUsed };
  }

  /** The preload's newest GC line if it was written at `since` or later. */
  gcLineSince(since) {
    try {
      const lines = readFileSync(this.gcFile, 'utf8').trim().split('\n');
      const line = JSON.parse(lines[lines.length - 1]);
      return line.t >= since ? line : undefined;
    } catch {
      return undefined; // no line yet
    }
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

  /**
   * The per-second lines that cover [from, to] (epoch ms): those written inside it and the first
   * one after it, which covers its last part; waits up to `waitMs` for that one (a loop that is
   * blocked past the end writes it late).
   */
  async statsDuring(from, to, waitMs = 3000) {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const lines = this.statsSince(from);
      const after = lines.findIndex((s) => s.t > to);
      if (after !== -1) return lines.slice(0, after + 1);
      if (Date.now() > deadline || !this.running) return lines;
      await sleep(100);
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

/**
 * `n` processes that each keep one core busy until `stop()`: a neighbour's build, on purpose, so
 * that a figure can be taken at a known extra load (`--busy`, any scenario).
 */
export function startBusyLoad(n) {
  const children = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    liveChildren.add(child);
    child.once('exit', () => liveChildren.delete(child));
    return child;
  });
  return {
    pids: children.map((c) => c.pid),
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGKILL');
          await exited;
        }),
      );
    },
  };
}
