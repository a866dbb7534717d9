/**
 * The one reconnect policy of the dashboard: every stream and socket asks this function how
 * long to wait. Exponential (base, 2×base, 4×base …) capped at `maxMs`, with ± `jitter` so that
 * many tabs do not reconnect in lock-step after a server restart, and `maxAttempts` tries
 * before giving up. Callers reset their attempt count after a successful connection.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
  /** Fraction of the delay that is randomised both ways: 0.2 → 80 % … 120 %. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000, maxAttempts: 5, jitter: 0.2 };

/**
 * Milliseconds to wait before reconnect attempt `attempt` (1-based), or `null` once
 * `maxAttempts` have been used up. `random` returns [0, 1); 0.5 means no jitter.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number | null {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > policy.maxAttempts) return null;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.round(Math.min(policy.maxMs, exponential * factor));
}
