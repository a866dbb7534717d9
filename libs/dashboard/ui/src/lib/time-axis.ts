/** One sample of a series: epoch ms and value. */
export interface ChartPoint {
  t: number;
  v: number;
}

/** A stretch of time drawn shaded behind the line: a gap in the data, or an annotation. */
export interface ChartBand {
  from: number;
  to: number;
  /** Short text drawn in the band when it is wide enough, and read out in the summary. */
  label?: string;
  kind: 'gap' | 'note';
}

/** A moment marked by a vertical line and a label (a deploy, an incident, a restart). */
export interface ChartMarker {
  t: number;
  label: string;
}

/** The time range a chart shows, epoch ms. */
export interface TimeWindow {
  from: number;
  to: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Tick steps a person reads as round: 10:05, 10:10 … or :15, :30, :45 s. */
const STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];

/** Local-time offset from UTC in ms at `t` (so ticks fall on round local times). */
function localOffsetMs(t: number): number {
  return -new Date(t).getTimezoneOffset() * MINUTE;
}

/**
 * Evenly spaced ticks at round local times between `min` and `max`: the smallest round step that
 * gives at most `maxTicks` ticks. `withSeconds` says whether the labels need seconds.
 */
export function timeTicks(
  min: number,
  max: number,
  maxTicks: number,
): { step: number; ticks: number[]; withSeconds: boolean } {
  const span = Math.max(0, max - min);
  const limit = Math.max(1, Math.floor(maxTicks));
  const step = STEPS.find((s) => Math.floor(span / s) + 1 <= limit) ?? STEPS[STEPS.length - 1];
  const ticks: number[] = [];
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { step, ticks, withSeconds: false };
  const offset = localOffsetMs(min);
  let t = Math.ceil((min + offset) / step) * step - offset;
  for (; t <= max && ticks.length <= limit; t += step) ticks.push(t);
  return { step, ticks, withSeconds: step < MINUTE };
}

/**
 * Where no data arrived: every pair of neighbours further apart than `maxGapMs`, and the stretch
 * from the last point to `end` when that is longer. The line is broken there, never joined.
 */
export function findGaps(points: readonly ChartPoint[], maxGapMs: number, end?: number): ChartBand[] {
  const gaps: ChartBand[] = [];
  for (let i = 1; i < points.length; i++) {
    if (points[i].t - points[i - 1].t > maxGapMs)
      gaps.push({ from: points[i - 1].t, to: points[i].t, label: 'No data', kind: 'gap' });
  }
  const last = points[points.length - 1];
  if (last && end !== undefined && end - last.t > maxGapMs)
    gaps.push({ from: last.t, to: end, label: 'No data', kind: 'gap' });
  return gaps;
}

/** The usual spacing of the points (median of recent gaps); `fallback` with too few points. */
export function typicalSpacing(points: readonly ChartPoint[], fallback: number): number {
  const recent = points.slice(-24);
  const gaps: number[] = [];
  for (let i = 1; i < recent.length; i++) {
    const d = recent[i].t - recent[i - 1].t;
    if (d > 0) gaps.push(d);
  }
  if (gaps.length < 3) return fallback;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

/**
 * The window a live chart shows: `windowMs` ending at `end` (now, or the newest point), but never
 * starting before the first point, so one minute of data is not stretched over fifteen.
 */
export function liveWindow(points: readonly ChartPoint[], windowMs: number, end: number | null): TimeWindow {
  const last = points.length ? points[points.length - 1].t : (end ?? 0);
  const to = Math.max(end ?? last, last);
  const first = points.length ? points[0].t : to;
  return { from: Math.max(first, to - windowMs), to };
}

/** "last 15 min", "last 40 s": what a window spans, for a chart's title. */
export function describeSpan(ms: number): string {
  if (ms < MINUTE) return `last ${Math.max(0, Math.round(ms / SECOND))} s`;
  if (ms < 2 * HOUR) return `last ${Math.round(ms / MINUTE)} min`;
  return `last ${Math.round(ms / HOUR)} h`;
}
