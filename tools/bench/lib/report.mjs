// What a run prints and writes: the aligned tables, the SVG chart and bench-results/<scenario>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { round } from './histogram.mjs';
import { formatLoad, loadAverage, machine, versions } from './machine.mjs';
import { RESULTS_DIR } from './paths.mjs';

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

/** One column per run (`ours 1`, `baseline 1`, …), with the load average at its start and end. */
export function printRuns(title, runs, rows, names = {}) {
  const load = (at) => (r) => formatLoad(r.loadAverage?.[at]);
  printTable(
    title,
    ['', ...runs.map((r) => `${names[r.target] ?? r.target} ${r.pair}`)],
    [
      ['load average at start (1, 5, 15 min)', ...runs.map(load('start'))],
      ['load average at end', ...runs.map(load('end'))],
      ...rows.map(([label, f]) => [label, ...runs.map((r) => f(r) ?? null)]),
    ],
  );
}

const targetText = (t, unit) => {
  if (!t) return null;
  const [op, v] = 'max' in t ? ['≤', t.max] : 'below' in t ? ['<', t.below] : ['≥', t.min];
  return t.on === 'ours' ? `${op} ${v} ${unit ?? ''}`.trim() : `${op} ${v}×`;
};

/**
 * The medians of each side, the median ratio ours ÷ baseline over the pairs with its spread
 * (min–max), the target, and ✅ met / ❌ short (`comparison` from ratios.mjs `comparePairs`).
 */
export function printComparison(title, comparison, metrics, names = { ours: 'ours', baseline: 'baseline' }) {
  const r2 = (v) => round(v, 2);
  printTable(
    title,
    ['', `${names.ours} (median)`, `${names.baseline} (median)`, 'ratio: median (min–max)', 'target', ''],
    metrics.map((m) => {
      const f = comparison.figures[m.key];
      const ratio =
        f.ratio.median == null ? null : `${r2(f.ratio.median)} (${r2(f.ratio.min)}–${r2(f.ratio.max)})`;
      return [
        `${m.label}${m.unit ? ` (${m.unit})` : ''}`,
        round(f.ours.median, m.digits ?? 1),
        round(f.baseline.median, m.digits ?? 1),
        ratio,
        targetText(m.target, m.unit),
        f.met == null ? '' : f.met ? '✅' : '❌',
      ];
    }),
  );
}
