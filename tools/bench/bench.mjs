#!/usr/bin/env node
// `npm run bench -- <scenario> [--flags]`: see docs/benchmarks.md. Needs the built API
// (`nx build api`) and, for `bundle`, the dashboard build (or --build).
import { parseArgs } from './lib/args.mjs';

const SCENARIOS = {
  'sse-fanout': () => import('./scenarios/sse-fanout.mjs'),
  chat: () => import('./scenarios/chat.mjs'),
  'restart-storm': () => import('./scenarios/restart-storm.mjs'),
  bundle: () => import('./scenarios/bundle.mjs'),
  'tab-memory': () => import('./scenarios/tab-memory.mjs'),
};

const [name, ...rest] = process.argv.slice(2);
if (!SCENARIOS[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(SCENARIOS).join('|')}> [--option value …]`);
  process.exit(2);
}
const scenario = await SCENARIOS[name]();
let options;
try {
  options = parseArgs(rest, { ...scenario.defaults, timeout: 1800 });
} catch (err) {
  console.error(`${name}: ${err.message}; options: ${Object.keys(scenario.defaults).join(', ')}`);
  process.exit(2);
}
// Bounded: a stuck run stops by itself.
const limit = setTimeout(() => {
  console.error(`${name}: still running after ${options.timeout} s, giving up`);
  process.exit(1);
}, options.timeout * 1000);
limit.unref();
try {
  await scenario.run(options);
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}
