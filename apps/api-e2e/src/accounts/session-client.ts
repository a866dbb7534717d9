import type { LoginResponse } from '@realtime/contracts';
import { type ApiProcess, type JsonResponse, request } from '@realtime/test-support';

/** A browser's cookie jar for one site, as far as these tests need it (name → value, path). */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();
  /** The raw Set-Cookie lines of the last answer. */
  lastSetCookie: string[] = [];

  take(res: { headers: Headers }) {
    this.lastSetCookie = res.headers.getSetCookie();
    for (const line of this.lastSetCookie) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = decodeURIComponent(pair.slice(eq + 1));
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expired = attrs.some((a) => /^expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  set(name: string, value: string, path = '/api/auth') {
    this.cookies.set(name, { value, path });
  }

  /** The Cookie header a browser sends to `path`. */
  header(path: string): string {
    return [...this.cookies]
      .filter(([, c]) => path.startsWith(c.path))
      .map(([n, c]) => `${n}=${encodeURIComponent(c.value)}`)
      .join('; ');
  }
}

/** One browser: signs in, renews and signs out through cookies, like the dashboard. */
export class BrowserSession {
  readonly jar = new CookieJar();
  accessToken = '';

  constructor(private readonly api: ApiProcess) {}

  async call<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; bearer?: boolean; headers?: Record<string, string> } = {},
  ): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const cookie = this.jar.header(path);
    if (cookie) headers['cookie'] = cookie;
    const res = await request<T>(this.api, method, path, {
      body: options.body,
      headers,
      token: options.bearer === false ? undefined : this.accessToken || undefined,
    });
    this.jar.take(res);
    return res;
  }

  async login(username: string, password = 'demo-password'): Promise<LoginResponse> {
    const res = await this.call<LoginResponse>('POST', '/api/auth/login', {
      body: { username, password },
      bearer: false,
      headers: { 'user-agent': `e2e ${username}` },
    });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    this.accessToken = res.body.accessToken;
    return res.body;
  }

  /** The login answer on a 200, else the error body (`{statusCode, message}`). */
  async refresh(): Promise<JsonResponse<LoginResponse & { statusCode?: number; message?: string }>> {
    const res = await this.call<LoginResponse & { statusCode?: number; message?: string }>(
      'POST',
      '/api/auth/refresh',
      { bearer: false },
    );
    if (res.status === 200) this.accessToken = res.body.accessToken;
    return res;
  }
}
