import { type BackoffPolicy, DEFAULT_BACKOFF } from '@realtime/dashboard/data-access-realtime';

const KEY = 'rt.backoffBaseMs';

/**
 * The reconnect policy, with the base delay overridable for tests and demos through
 * `?backoffBaseMs=100` on any page (remembered for the tab, so it survives the login redirect).
 */
export function backoffFromLocation(location: Location, storage: Storage | null): BackoffPolicy {
  let raw = new URLSearchParams(location.search).get('backoffBaseMs');
  try {
    if (raw) storage?.setItem(KEY, raw);
    else raw = storage?.getItem(KEY) ?? null;
  } catch {
    // storage disabled: the query parameter still applies to this page load
  }
  const base = Number(raw);
  if (!raw || !Number.isFinite(base) || base < 10 || base > DEFAULT_BACKOFF.maxMs) return DEFAULT_BACKOFF;
  return { ...DEFAULT_BACKOFF, baseMs: base };
}
