import { comparePairs, median, meets, ratio, spread, summarize } from './ratios.mjs';

describe('median and spread', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('ignores missing figures and has none for no values', () => {
    expect(median([null, 5, NaN, undefined, 1] as any)).toBe(3);
    expect(median([])).toBeNull();
    expect(spread([null] as any)).toEqual({ min: null, max: null });
  });
  it('gives the smallest and largest value', () => {
    expect(spread([1.2, 0.8, 1.1])).toEqual({ min: 0.8, max: 1.2 });
    expect(summarize([2, 1, 3])).toEqual({ median: 2, min: 1, max: 3, n: 3, values: [2, 1, 3] });
  });
});

describe('ratio and meets', () => {
  it('divides ours by the baseline, with no ratio for a missing or zero baseline', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(null as any, 2)).toBeNull();
  });
  it('judges at most, strictly below and at least', () => {
    expect(meets(1.25, { max: 1.25 })).toBe(true);
    expect(meets(1.26, { max: 1.25 })).toBe(false);
    expect(meets(50, { below: 50 })).toBe(false);
    expect(meets(0.8, { min: 0.8 })).toBe(true);
    expect(meets(null as any, { min: 0.8 })).toBeNull();
  });
});

describe('comparePairs', () => {
  const metrics = [
    { key: 'p99', get: (r: any) => r.p99, target: { on: 'ratio', max: 1.25 } },
    { key: 'deliveries', get: (r: any) => r.deliveries, target: { on: 'ratio', min: 0.8 } },
    { key: 'p99abs', get: (r: any) => r.p99, target: { on: 'ours', below: 50 } },
  ];
  // Pair 2 ran under load: both targets slower, the ratio within the pair still near the others.
  const runs = [
    { pair: 1, target: 'ours', p99: 12, deliveries: 900 },
    { pair: 1, target: 'baseline', p99: 10, deliveries: 1000 },
    { pair: 2, target: 'ours', p99: 60, deliveries: 450 },
    { pair: 2, target: 'baseline', p99: 40, deliveries: 500 },
    { pair: 3, target: 'ours', p99: 11, deliveries: 1100 },
    { pair: 3, target: 'baseline', p99: 10, deliveries: 1000 },
  ];

  it('takes each ratio within its pair', () => {
    const { pairs } = comparePairs(runs, metrics);
    expect(pairs.map((p) => p.ratios.p99)).toEqual([1.2, 1.5, 1.1]);
    expect(pairs.map((p) => p.ratios.deliveries)).toEqual([0.9, 0.9, 1.1]);
  });

  it('reports the median ratio with its spread beside the median of each side', () => {
    const { figures } = comparePairs(runs, metrics);
    expect(figures.p99.ratio).toMatchObject({ median: 1.2, min: 1.1, max: 1.5, n: 3 });
    expect(figures.p99.ours.median).toBe(12);
    expect(figures.p99.baseline.median).toBe(10);
    expect(figures.deliveries.ratio.median).toBe(0.9);
  });

  it('judges ratio targets by the median ratio and absolute ones by our median', () => {
    const { figures } = comparePairs(runs, metrics);
    expect(figures.p99.met).toBe(true); // 1.2 ≤ 1.25, though pair 2 alone was 1.5
    expect(figures.deliveries.met).toBe(true);
    expect(figures.p99abs.met).toBe(true); // our median 12 ms < 50
  });

  it('leaves out a pair missing one side, and has no ratio with no baseline at all', () => {
    const { pairs } = comparePairs(runs.slice(0, 3), metrics);
    expect(pairs.map((p) => p.pair)).toEqual([1]);
    const oursOnly = comparePairs(
      runs.filter((r) => r.target === 'ours'),
      metrics,
    );
    expect(oursOnly.pairs).toEqual([]);
    expect(oursOnly.figures.p99.ratio.median).toBeNull();
    expect(oursOnly.figures.p99.met).toBeNull();
    expect(oursOnly.figures.p99abs.met).toBe(true);
  });
});
