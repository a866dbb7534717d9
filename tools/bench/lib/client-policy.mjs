// How the bench's storm clients come back after a lost connection. `dashboard` (the default)
// models the product's own client: libs/dashboard/data-access-realtime's one backoff policy for
// every stream and the chat socket (no EventSource or socket.io reconnection of their own; the
// stream resumes with `?lastEventId=`), read from its source so the two cannot drift apart.
// `eventsource`: a plain EventSource (after the server's `retry:`, with `Last-Event-ID`, for
// ever) and socket.io-client's own reconnection, as an outside client would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CLIENT_POLICIES = ['dashboard', 'eventsource'];

const BACKOFF_SOURCE = 'libs/dashboard/data-access-realtime/src/lib/backoff.ts';

/** `DEFAULT_BACKOFF` of the dashboard's backoff.ts (in the checkout at `root`): { baseMs, maxMs, maxAttempts, jitter }. */
export function dashboardBackoff(root) {
  const text = readFileSync(join(root, BACKOFF_SOURCE), 'utf8');
  const literal = /DEFAULT_BACKOFF\s*:\s*BackoffPolicy\s*=\s*\{([^}]*)\}/.exec(text)?.[1];
  const policy = {};
  for (const m of (literal ?? '').matchAll(/(\w+)\s*:\s*([\d_.]+)/g))
    policy[m[1]] = Number(m[2].replace(/_/g, ''));
  for (const key of ['baseMs', 'maxMs', 'maxAttempts', 'jitter']) {
    if (!Number.isFinite(policy[key])) throw new Error(`${BACKOFF_SOURCE}: DEFAULT_BACKOFF.${key} not found`);
  }
  return policy;
}

/** The dashboard's `backoffDelay`: the wait before attempt `attempt` (1-based), null once given up. */
export function backoffDelay(attempt, policy, random = Math.random) {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > policy.maxAttempts) return null;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const factor = 1 + policy.jitter * (2 * random() - 1);
  return Math.round(Math.min(policy.maxMs, exponential * factor));
}
