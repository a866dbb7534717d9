import type { LoginResponse } from '@realtime/contracts';

import type { ApiProcess } from './api-process';

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** `fetch` that sends and parses JSON; `token` becomes `Authorization: Bearer`. */
export async function request<T = any>(
  api: ApiProcess | string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<JsonResponse<T>> {
  const base = typeof api === 'string' ? api : api.baseUrl;
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text so the test can say what came back
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export async function login(
  api: ApiProcess | string,
  username: string,
  password = 'demo-password',
): Promise<LoginResponse> {
  const res = await request<LoginResponse>(api, 'POST', '/api/auth/login', {
    body: { username, password },
  });
  if (res.status !== 200) throw new Error(`login ${username} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
