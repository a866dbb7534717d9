// Where the bench finds the product and writes its results.
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? join(ROOT, 'bench-results');
export const API_MAIN = process.env.BENCH_API_MAIN ?? join(ROOT, 'dist/apps/api/main.js');
export const PRELOAD = join(ROOT, 'tools/bench/lib/preload.cjs');
