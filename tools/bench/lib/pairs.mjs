// Ours and the baseline interleaved, A B A B: the load on a shared machine drifts over minutes,
// so each run of ours is compared with the baseline's run beside it (see ratios.mjs), not with a
// baseline measured at another moment. Every run is a fresh server process on the same workload.
import { formatLoad, loadAverage } from './machine.mjs';

/**
 * Runs `runOne(target, pair)` for each target in turn, `pairs` times, and returns every run as
 * `{ pair, target, loadAverage: { start, end }, …what runOne returned }`.
 */
export async function interleave(pairs, targets, runOne, log = console.log) {
  const runs = [];
  for (let pair = 1; pair <= pairs; pair++) {
    for (const target of targets) {
      const start = loadAverage();
      log(`run ${pair}/${pairs}: ${target} (load average ${formatLoad(start)})…`);
      const result = await runOne(target, pair);
      runs.push({ pair, target, loadAverage: { start, end: loadAverage() }, ...result });
    }
  }
  return runs;
}
