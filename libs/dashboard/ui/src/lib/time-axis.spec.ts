import { describeSpan, findGaps, liveWindow, timeTicks, typicalSpacing } from './time-axis';

const MIN = 60_000;
// 10:00:00 local time on some day, whatever the test machine's zone.
const TEN = new Date(2026, 10, 30, 10, 0, 0, 0).getTime();

describe('timeTicks', () => {
  it('puts evenly spaced ticks on round local times', () => {
    const { step, ticks, withSeconds } = timeTicks(TEN + 28_000, TEN + 15 * MIN + 28_000, 6);
    expect(step).toBe(5 * MIN);
    expect(withSeconds).toBe(false);
    expect(ticks.map((t) => new Date(t).toTimeString().slice(0, 8))).toEqual([
      '10:05:00',
      '10:10:00',
      '10:15:00',
    ]);
  });

  it('uses seconds for a short window and never more ticks than fit', () => {
    const { step, ticks, withSeconds } = timeTicks(TEN + 3_000, TEN + 63_000, 5);
    expect(step).toBe(15_000);
    expect(withSeconds).toBe(true);
    expect(ticks).toEqual([TEN + 15_000, TEN + 30_000, TEN + 45_000, TEN + 60_000]);
    for (const max of [2, 3, 7, 12])
      expect(timeTicks(TEN, TEN + 15 * MIN, max).ticks.length).toBeLessThanOrEqual(max);
  });
});

describe('findGaps', () => {
  const pts = [0, 5, 10, 60, 65].map((s) => ({ t: TEN + s * 1000, v: 1 }));

  it('marks neighbours further apart than the limit, and no data since the last point', () => {
    expect(findGaps(pts, 12_500)).toEqual([
      { from: TEN + 10_000, to: TEN + 60_000, label: 'No data', kind: 'gap' },
    ]);
    expect(findGaps(pts, 12_500, TEN + 70_000)).toHaveLength(1);
    expect(findGaps(pts, 12_500, TEN + 90_000)[1]).toEqual({
      from: TEN + 65_000,
      to: TEN + 90_000,
      label: 'No data',
      kind: 'gap',
    });
  });
});

describe('typicalSpacing and liveWindow', () => {
  it('measures the usual spacing and ignores one long gap', () => {
    const pts = [0, 5, 10, 15, 60, 65, 70].map((s) => ({ t: s * 1000, v: 0 }));
    expect(typicalSpacing(pts, 1234)).toBe(5000);
    expect(typicalSpacing(pts.slice(0, 2), 1234)).toBe(1234);
  });

  it('ends at now, starts no earlier than the data and no earlier than the window', () => {
    const pts = [
      { t: TEN, v: 0 },
      { t: TEN + MIN, v: 0 },
    ];
    expect(liveWindow(pts, 15 * MIN, TEN + 2 * MIN)).toEqual({ from: TEN, to: TEN + 2 * MIN });
    expect(liveWindow(pts, 30_000, null)).toEqual({ from: TEN + 30_000, to: TEN + MIN });
  });

  it('describes the span for the title', () => {
    expect(describeSpan(15 * MIN - 4_000)).toBe('last 15 min');
    expect(describeSpan(40_000)).toBe('last 40 s');
    expect(describeSpan(3 * 3_600_000)).toBe('last 3 h');
  });
});
