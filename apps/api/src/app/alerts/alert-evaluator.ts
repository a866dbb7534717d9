import type { AlertCondition, AlertMetric, AlertState, DashboardMetrics } from '@realtime/contracts';

export interface EvaluatedRule {
  metric: AlertMetric;
  condition: AlertCondition;
  threshold: number | null;
  hysteresis: number;
  durationMs: number;
  state: AlertState;
  stateSince: number;
}

/** `holds`: the alert condition is met; `clear`: far enough back to resolve; `between`: neither. */
export type Verdict = 'holds' | 'clear' | 'between';

export function judge(
  rule: EvaluatedRule,
  metrics: DashboardMetrics,
): { verdict: Verdict; value: number | string } {
  if (rule.condition === 'not-operational') {
    const status = metrics.systemStatus;
    return { verdict: status === 'operational' ? 'clear' : 'holds', value: status };
  }
  const value = metrics[rule.metric as Exclude<AlertMetric, 'systemStatus'>];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`metric ${rule.metric} is not a number in this tick`);
  }
  const threshold = rule.threshold ?? 0;
  if (rule.condition === 'above') {
    if (value > threshold) return { verdict: 'holds', value };
    return { verdict: value <= threshold - rule.hysteresis ? 'clear' : 'between', value };
  }
  if (value < threshold) return { verdict: 'holds', value };
  return { verdict: value >= threshold + rule.hysteresis ? 'clear' : 'between', value };
}

export interface Transition {
  state: AlertState;
  /** Set when the change is a firing or a resolution (notify, log, annotate). */
  event?: 'firing' | 'resolved';
}

/**
 * The rule's next state, or null when it stays. Fires once the condition has held for the
 * rule's duration; resolves once the value has been clear (past the hysteresis band) for the
 * duration, and at least `minClearMs`: a value flapping around the threshold keeps a firing
 * rule firing instead of firing and resolving on every swing.
 */
export function transition(
  rule: EvaluatedRule,
  verdict: Verdict,
  now: number,
  minClearMs: number,
): Transition | null {
  const held = now - rule.stateSince;
  switch (rule.state) {
    case 'ok':
      if (verdict !== 'holds') return null;
      return rule.durationMs <= 0 ? { state: 'firing', event: 'firing' } : { state: 'pending' };
    case 'pending':
      if (verdict !== 'holds') return { state: 'ok' };
      return held >= rule.durationMs ? { state: 'firing', event: 'firing' } : null;
    case 'firing':
      return verdict === 'clear' ? { state: 'resolving' } : null;
    case 'resolving':
      if (verdict !== 'clear') return { state: 'firing' };
      return held >= Math.max(rule.durationMs, minClearMs) ? { state: 'ok', event: 'resolved' } : null;
  }
}
