// The arithmetic of an A B A B comparison, kept pure so it is unit-tested: each pair is one run
// of ours and one of the baseline on a fresh server each; a figure's ratio is taken within its
// pair (both ran under the same load, minutes apart at most) and the pairs' ratios are summed up
// by their median and their spread (min–max). No I/O here.

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);

/** The median of the finite numbers in `values` (the mean of the middle two when even); null if none. */
export function median(values) {
  const xs = values.filter(isNumber).sort((a, b) => a - b);
  if (!xs.length) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Smallest and largest of the finite numbers in `values`; nulls if none. */
export function spread(values) {
  const xs = values.filter(isNumber);
  return xs.length ? { min: Math.min(...xs), max: Math.max(...xs) } : { min: null, max: null };
}

/** `ours ÷ baseline`, or null when either is missing or the baseline is 0. */
export function ratio(ours, baseline) {
  return isNumber(ours) && isNumber(baseline) && baseline !== 0 ? ours / baseline : null;
}

/** Median, spread and count of a figure over runs or pairs (non-numbers ignored). */
export function summarize(values) {
  return { median: median(values), ...spread(values), n: values.filter(isNumber).length, values };
}

/**
 * Whether `value` meets `target`: `{ max }` (at most), `{ below }` (strictly less), `{ min }` (at
 * least). null when there is no value or no target.
 */
export function meets(value, target) {
  if (!isNumber(value) || !target) return null;
  if ('max' in target) return value <= target.max;
  if ('below' in target) return value < target.below;
  if ('min' in target) return value >= target.min;
  return null;
}

/**
 * Pairs up `runs` ({ pair, target, … }) by `pair` and compares `ours` with `baseline` in each.
 *
 * `metrics`: [{ key, get(run) → number, target? }], where `target` is
 * `{ on: 'ratio' | 'ours', max | below | min }`: met or not by the median ratio, or by the median
 * of our own figure (an absolute target, such as chat's p99 < 50 ms).
 *
 * Returns `pairs` ([{ pair, ratios: { key: ours ÷ baseline } }], only pairs with both runs) and
 * `figures` ({ key: { ours, baseline, ratio } } each a `summarize`, plus `target` and `met`).
 */
export function comparePairs(runs, metrics, names = { ours: 'ours', baseline: 'baseline' }) {
  const byPair = new Map();
  for (const run of runs) {
    if (!byPair.has(run.pair)) byPair.set(run.pair, {});
    byPair.get(run.pair)[run.target] = run;
  }
  const pairs = [...byPair.entries()]
    .filter(([, p]) => p[names.ours] && p[names.baseline])
    .sort(([a], [b]) => a - b)
    .map(([pair, p]) => ({
      pair,
      ratios: Object.fromEntries(
        metrics.map((m) => [m.key, ratio(m.get(p[names.ours]), m.get(p[names.baseline]))]),
      ),
    }));
  const of = (target) => runs.filter((r) => r.target === target);
  /** @type {Record<string, any>} */
  const figures = {};
  for (const m of metrics) {
    const f = {
      ours: summarize(of(names.ours).map(m.get)),
      baseline: summarize(of(names.baseline).map(m.get)),
      ratio: summarize(pairs.map((p) => p.ratios[m.key])),
      target: m.target ?? null,
      met: null,
    };
    if (m.target) f.met = meets(m.target.on === 'ours' ? f.ours.median : f.ratio.median, m.target);
    figures[m.key] = f;
  }
  return { pairs, figures };
}
