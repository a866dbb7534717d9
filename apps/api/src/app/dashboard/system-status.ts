import type { ComponentHealth, ComponentState, SystemStatus } from '@realtime/contracts';

/** `ok` up to the threshold, `degraded` above it. */
export function againstThreshold(value: number, threshold: number, unit: string): ComponentHealth {
  return { state: value > threshold ? 'degraded' : 'ok', value, unit, threshold };
}

/**
 * `down` when the database is unreachable (nothing works without it); `degraded` when any
 * component is over its threshold or down; `operational` otherwise.
 */
export function deriveStatus(components: Record<string, ComponentHealth>): SystemStatus {
  if (components['database']?.state === 'down') return 'down';
  const bad: ComponentState[] = ['degraded', 'down'];
  return Object.values(components).some((c) => bad.includes(c.state)) ? 'degraded' : 'operational';
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
