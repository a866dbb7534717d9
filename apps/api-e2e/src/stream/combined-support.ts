import { type ApiProcess, RawSse, type SseEvent } from '@realtime/test-support';

export const COMBINED = '/api/stream';

/** `GET /api/stream` for `token`, with extra headers and a query (both channels unless said). */
export function openCombined(
  api: ApiProcess,
  token: string,
  headers: Record<string, string> = {},
  query = '?channels=dashboard,notifications',
) {
  return RawSse.open(`${api.baseUrl}${COMBINED}${query}`, { authorization: `Bearer ${token}`, ...headers });
}

/** Each channel's position in a combined id: `dashboard:17645…,notifications:42`. */
export function positions(id: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (id ?? '').split(',')) {
    const m = /^([a-z-]+):(\d+)$/.exec(part);
    if (!m) throw new Error(`not a combined id: ${id}`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The events of one channel in a combined stream (by event name). */
export const DASHBOARD_EVENTS = ['metrics', 'reset', 'annotation'];
export const NOTIFICATION_EVENTS = ['connected', 'notification', 'notification-read', 'notification-deleted'];
export const ofDashboard = (events: SseEvent[]) => events.filter((e) => DASHBOARD_EVENTS.includes(e.event));
export const ofNotifications = (events: SseEvent[]) =>
  events.filter((e) => NOTIFICATION_EVENTS.includes(e.event));

/**
 * Every id names each channel the stream has heard from, and no channel's position ever goes
 * back; an event moves its own channel's position and no other.
 */
export function expectCombinedIds(events: SseEvent[]) {
  let last: Record<string, number> = {};
  for (const e of events) {
    const now = positions(e.id);
    const own = DASHBOARD_EVENTS.includes(e.event) ? 'dashboard' : 'notifications';
    for (const [name, at] of Object.entries(last)) {
      expect(now[name]).toBeGreaterThanOrEqual(at);
      if (name !== own) expect(now[name]).toBe(at);
    }
    expect(now[own]).toBeDefined();
    last = now;
  }
}
