#!/usr/bin/env node
// `npm run bench -- <scenario> [--flags]`: see docs/benchmarks.md. Needs the built API
// (`nx build api`) and, for `bundle`, the dashboard build (or --build).
import { parseArgs } from './lib/args.mjs';
import { formatLoad, loadAverage } from './lib/machine.mjs';
import { sleep, startBusyLoad } from './lib/processes.mjs';

const SCENARIOS = {
  'sse-fanout': () => import('./scenarios/sse-fanout.mjs'),
  chat: () => import('./scenarios/chat.mjs'),
  'chat-abuse': () => import('./scenarios/chat-abuse.mjs'),
  'restart-storm': () => import('./scenarios/restart-storm.mjs'),
  bundle: () => import('./scenarios/bundle.mjs'),
  'tab-memory': () => import('./scenarios/tab-memory.mjs'),
  tabs: () => import('./scenarios/tabs.mjs'),
};

// Options of every scenario: --timeout (s) bounds the run; --busy N keeps N extra processes
// spinning for the whole run (started --busy-warmup s before it, so the load average has risen).
const SHARED = { timeout: 1800, busy: 0, busyWarmup: 0 };

const [name, ...rest] = process.argv.slice(2);
if (!SCENARIOS[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(SCENARIOS).join('|')}> [--option value …]`);
  process.exit(2);
}
const scenario = await SCENARIOS[name]();
let options;
try {
  options = parseArgs(rest, { ...scenario.defaults, ...SHARED });
} catch (err) {
  console.error(
    `${name}: ${err.message}; options: ${Object.keys({ ...scenario.defaults, ...SHARED }).join(', ')}`,
  );
  process.exit(2);
}
// Bounded: a stuck run stops by itself.
const limit = setTimeout(() => {
  console.error(`${name}: still running after ${options.timeout} s, giving up`);
  process.exit(1);
}, options.timeout * 1000);
limit.unref();
let busy;
try {
  if (options.busy > 0) {
    busy = startBusyLoad(options.busy);
    console.log(
      `busy: ${options.busy} spinning process(es) (${busy.pids.join(', ')}), load average ${formatLoad(loadAverage())}`,
    );
    if (options.busyWarmup > 0) {
      await sleep(options.busyWarmup * 1000);
      console.log(`busy: after ${options.busyWarmup} s, load average ${formatLoad(loadAverage())}`);
    }
  }
  await scenario.run(options);
  await busy?.stop();
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}
