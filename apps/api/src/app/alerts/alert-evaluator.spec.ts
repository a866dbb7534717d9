import type { DashboardMetrics } from '@realtime/contracts';

import { type EvaluatedRule, judge, transition } from './alert-evaluator';

const metrics = (over: Partial<DashboardMetrics>) =>
  ({ ordersPerMinute: 0, systemStatus: 'operational', timestamp: 0, ...over }) as DashboardMetrics;

const rule = (over: Partial<EvaluatedRule> = {}): EvaluatedRule => ({
  metric: 'ordersPerMinute',
  condition: 'above',
  threshold: 10,
  hysteresis: 2,
  durationMs: 5000,
  state: 'ok',
  stateSince: 0,
  ...over,
});

/** Runs a rule through values one second apart (time goes on between calls); returns its events. */
let clock = 0;
function run(r: EvaluatedRule, values: number[], minClearMs = 3000): string[] {
  const events: string[] = [];
  values.forEach((v) => {
    const now = (clock += 1000);
    const next = transition(r, judge(r, metrics({ ordersPerMinute: v })).verdict, now, minClearMs);
    if (!next) return;
    r.state = next.state;
    r.stateSince = now;
    if (next.event) events.push(`${next.event}@${now / 1000}`);
  });
  return events;
}

describe('alert evaluation', () => {
  beforeEach(() => (clock = 0));

  it('judges above and below with the hysteresis band, and the system status', () => {
    expect(judge(rule(), metrics({ ordersPerMinute: 11 })).verdict).toBe('holds');
    expect(judge(rule(), metrics({ ordersPerMinute: 9 })).verdict).toBe('between');
    expect(judge(rule(), metrics({ ordersPerMinute: 8 })).verdict).toBe('clear');
    const below = rule({ condition: 'below', threshold: 2, hysteresis: 1 });
    expect(judge(below, metrics({ ordersPerMinute: 1 }))).toEqual({ verdict: 'holds', value: 1 });
    expect(judge(below, metrics({ ordersPerMinute: 2 })).verdict).toBe('between');
    expect(judge(below, metrics({ ordersPerMinute: 3 })).verdict).toBe('clear');
    const status = rule({ metric: 'systemStatus', condition: 'not-operational', threshold: null });
    expect(judge(status, metrics({ systemStatus: 'degraded' }))).toEqual({
      verdict: 'holds',
      value: 'degraded',
    });
    expect(judge(status, metrics({})).verdict).toBe('clear');
    expect(() => judge(rule(), metrics({ ordersPerMinute: NaN }))).toThrow(/not a number/);
  });

  it('fires only after the condition held for the duration, and resolves after it cleared as long', () => {
    const r = rule();
    // 4 s over the threshold is not enough; then 6 s are.
    expect(run(r, [11, 11, 11, 11, 5, 11, 11, 11, 11, 11, 11, 11, 5, 5, 5, 5, 5, 5, 5])).toEqual([
      'firing@11',
      'resolved@18',
    ]);
  });

  it('does not fire and resolve again for a value flapping around the threshold', () => {
    const r = rule({ durationMs: 0 });
    const flapping = Array.from({ length: 40 }, (_, i) => (i % 2 ? 12 : 7));
    expect(run(r, flapping)).toEqual(['firing@2']);
    expect(r.state).not.toBe('ok');
    // Within the hysteresis band (9 is not 8 or less) it never resolves either.
    expect(run(r, [9, 9, 9, 9, 9, 9])).toEqual([]);
    expect(run(r, [8, 8, 8, 8])).toEqual(['resolved@50']);
  });

  it('fires at once with no duration', () => {
    expect(run(rule({ durationMs: 0 }), [20])).toEqual(['firing@1']);
  });
});
