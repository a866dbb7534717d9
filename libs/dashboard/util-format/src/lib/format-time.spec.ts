import { formatAgo, formatClock, formatDuration, secondsUntil } from './format-time';

describe('time formatting', () => {
  it('says how long ago', () => {
    expect(formatAgo(400)).toBe('just now');
    expect(formatAgo(3_200)).toBe('3 s ago');
    expect(formatAgo(125_000)).toBe('2 min ago');
    expect(formatAgo(2 * 3_600_000)).toBe('2 h ago');
    expect(formatAgo(-50)).toBe('just now');
  });

  it('formats durations', () => {
    expect(formatDuration(0.3)).toBe('<1 ms');
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1_250)).toBe('1.3 s');
    expect(formatDuration(15_000)).toBe('15 s');
  });

  it('counts whole seconds down, never below zero', () => {
    expect(secondsUntil(4_000, 0)).toBe(4);
    expect(secondsUntil(4_000, 100)).toBe(4);
    expect(secondsUntil(4_000, 3_001)).toBe(1);
    expect(secondsUntil(4_000, 5_000)).toBe(0);
  });

  it('formats clock times for axes', () => {
    const t = new Date(2026, 0, 1, 9, 5, 7).getTime();
    expect(formatClock(t)).toBe('09:05');
    expect(formatClock(t, true)).toBe('09:05:07');
  });
});
