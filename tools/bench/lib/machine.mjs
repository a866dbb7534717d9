// What the run happened on: the machine, the versions, the load average, the descriptor limit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { round } from './histogram.mjs';
import { ROOT } from './paths.mjs';

/** The 1, 5 and 15-minute load averages. */
export function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

/** `[1, 5, 15]`-minute load averages as `1.20 0.95 0.80`. */
export function formatLoad(load) {
  return load ? load.map((v) => v.toFixed(2)).join(' ') : '–';
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
