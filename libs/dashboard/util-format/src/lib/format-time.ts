/** Age in words for "updated … ago": `just now`, `3 s ago`, `2 min ago`, `1 h ago`. */
export function formatAgo(ageMs: number): string {
  const s = Math.max(0, Math.floor(ageMs / 1000));
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  return `${Math.floor(m / 60)} h ago`;
}

/** A short duration: `850 ms`, `1.2 s`, `12 s`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1) return '<1 ms';
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 1000)} s`;
}

/** Whole seconds left until `at`, never negative: for "Retrying in 4 s". */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** `14:05`, or `14:05:30` with seconds (24 h clock, local time), for chart axes. */
export function formatClock(epochMs: number, withSeconds = false): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return withSeconds ? `${hm}:${two(d.getSeconds())}` : hm;
}
