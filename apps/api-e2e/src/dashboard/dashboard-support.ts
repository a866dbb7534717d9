import { EventSource } from 'eventsource';

import type { DashboardConnectionsResponse, DashboardMetrics } from '@realtime/contracts';
import { type ApiProcess, RawSse, type SseEvent, request } from '@realtime/test-support';

export const STREAM = '/api/dashboard/stream';

/** A raw dashboard stream for `token`, with optional extra headers or query. */
export function openStream(api: ApiProcess, token: string, headers: Record<string, string> = {}, query = '') {
  return RawSse.open(`${api.baseUrl}${STREAM}${query}`, { authorization: `Bearer ${token}`, ...headers });
}

export const metricsOf = (e: SseEvent) => JSON.parse(e.data) as DashboardMetrics;
export const idsOf = (events: SseEvent[]) => events.map((e) => Number(e.id));

export function expectIncreasing(ids: number[]) {
  for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]);
}

/** A real EventSource (the `eventsource` package) that sends the token as a header. */
export function eventSource(api: ApiProcess, token: string): EventSource {
  return new EventSource(`${api.baseUrl}${STREAM}`, {
    fetch: (url, init) =>
      fetch(url, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }),
  });
}

/** Polls `read` until `done` holds: for server-side state that changes after a client leaves. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function connections(api: ApiProcess, token: string): Promise<DashboardConnectionsResponse> {
  const res = await request<DashboardConnectionsResponse>(api, 'GET', '/api/dashboard/connections', {
    token,
  });
  expect(res.status).toBe(200);
  return res.body;
}
