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

/**
 * The figures a scenario compares pair by pair, the same for every server bench: `latency` and
 * `connect` name its two timings, `targets` which figures have an issue's target.
 */
export function serverMetrics({ latency, connect, targets = {} }) {
  const metrics = [
    { key: 'p99Ms', label: `${latency} p99`, unit: 'ms', get: (r) => r.latency.latencyMs.p99 },
    { key: 'p50Ms', label: `${latency} p50`, unit: 'ms', get: (r) => r.latency.latencyMs.p50 },
    {
      key: 'rssPerConnectionKb',
      label: 'RSS per connection',
      unit: 'KB',
      digits: 2,
      get: (r) => r.rssPerConnectionKb,
    },
    {
      key: 'heapPerConnectionKb',
      label: 'JS heap per connection',
      unit: 'KB',
      digits: 2,
      get: (r) => r.heapPerConnectionKb,
    },
    {
      key: 'deliveriesPerSecond',
      label: 'deliveries/s at saturation',
      unit: '/s',
      digits: 0,
      get: (r) => r.saturation?.deliveriesPerSecond,
    },
    {
      key: 'cpuUsPerEvent',
      label: 'server CPU per delivered event (saturation)',
      unit: 'µs',
      digits: 2,
      get: (r) => r.saturation?.cpuUsPerEvent,
    },
    {
      key: 'eventLoopDelayP99Ms',
      label: 'event-loop delay p99 (latency phase)',
      unit: 'ms',
      get: (r) => r.latency.eventLoopDelayP99Ms,
    },
    { key: 'connectSeconds', label: connect, unit: 's', digits: 2, get: (r) => r.connectSeconds },
  ];
  return metrics.map((m) => (targets[m.key] ? { ...m, target: targets[m.key] } : m));
}
