import type {
  AlertHistoryResponse,
  AlertRule,
  CreateAlertRuleRequest,
  Notification,
} from '@realtime/contracts';
import { type ApiProcess, type RawSse, request } from '@realtime/test-support';

export const createRule = (api: ApiProcess, token: string, body: Partial<CreateAlertRuleRequest> | object) =>
  request<AlertRule>(api, 'POST', '/api/alerts/rules', { token, body });

export const updateRule = (api: ApiProcess, token: string, id: number | string, body: object) =>
  request<AlertRule>(api, 'PATCH', `/api/alerts/rules/${id}`, { token, body });

export async function alertHistory(api: ApiProcess, token: string): Promise<AlertHistoryResponse> {
  const res = await request<AlertHistoryResponse>(api, 'GET', '/api/alerts/history', { token });
  expect(res.status).toBe(200);
  return res.body;
}

export async function notificationsOf(api: ApiProcess, token: string): Promise<Notification[]> {
  const res = await request<Notification[]>(api, 'GET', '/api/notifications?limit=100', { token });
  expect(res.status).toBe(200);
  return res.body;
}

/** Alert notifications (from rules) of one user, oldest first, as `Alert: name` / `Resolved: name`. */
export async function alertTitles(api: ApiProcess, token: string): Promise<string[]> {
  return (await notificationsOf(api, token))
    .filter((n) => /^(Alert|Resolved): /.test(n.title))
    .map((n) => n.title)
    .reverse();
}

/** Waits for `n` more dashboard ticks on `stream` than it has now: time passing, measured in ticks. */
export async function moreTicks(stream: RawSse, n: number): Promise<void> {
  const seen = stream.events.filter((e) => e.event === 'metrics').length;
  await stream.waitForEvents('metrics', seen + n);
}

export const placeOrder = (api: ApiProcess, token: string) =>
  request(api, 'POST', '/api/orders', { token, body: { amount: 5, currency: 'USD' } });
