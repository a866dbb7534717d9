// The built API under test, its demo users and the client side of connecting to it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { API_MAIN } from './paths.mjs';
import { ServerProcess, freePort } from './processes.mjs';

export const JWT_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
export const DEMO_USERS = ['alice', 'bob', 'carol'];

/** The built API on a free port with a fresh SQLite file, tuned for load (see docs/benchmarks.md). */
export class Api extends ServerProcess {
  constructor({ env = {}, nodeArgs = [], port } = {}) {
    super(API_MAIN, { nodeArgs, name: 'api' });
    this.dir = mkdtempSync(join(tmpdir(), 'rt-bench-api-'));
    this.fixedPort = port;
    this.extraEnv = env;
  }

  async start() {
    this.port ??= this.fixedPort ?? (await freePort());
    this.url = `http://127.0.0.1:${this.port}`;
    this.env = {
      NODE_ENV: 'production',
      PORT: String(this.port),
      HOST: '127.0.0.1',
      JWT_SECRET,
      JWT_TTL_S: '86400',
      DATABASE_URL: `sqlite:${join(this.dir, 'bench.db')}`,
      DEMO: 'true',
      SIMULATOR: 'false',
      LOG_LEVEL: 'warn',
      LOGIN_RATE_LIMIT: '1000000',
      DASHBOARD_TICK_MS: '1000',
      HEARTBEAT_MS: '30000',
      CHAT_RATE_PER_S: '100000',
      CHAT_RATE_BURST: '100000',
      // Thousands of clients share three demo users: the per-user limits would refuse them.
      MAX_CONNECTIONS_PER_USER: '10000',
      NOTIFICATION_STREAMS_PER_USER: '1000000',
      // …and the chat's per-user caps and buckets (joins create the bench's rooms).
      CHAT_JOIN_RATE_PER_S: '100000',
      CHAT_JOIN_RATE_BURST: '100000',
      CHAT_TYPING_RATE_PER_S: '100000',
      CHAT_TYPING_RATE_BURST: '100000',
      CHAT_CREATE_RATE_PER_MIN: '1000000',
      CHAT_CREATE_RATE_BURST: '1000000',
      CHAT_ROOMS_CREATED_MAX: '1000000',
      CHAT_ROOMS_JOINED_MAX: '1000000',
      NOTIFY_RATE_PER_S: '100000',
      NOTIFY_RATE_BURST: '100000',
      REFRESH_RATE_PER_S: '100000',
      REFRESH_RATE_BURST: '100000',
      ORDER_RATE_PER_S: '100000',
      ORDER_RATE_BURST: '100000',
      // The bench's own thresholds would otherwise flip systemStatus under load; irrelevant here.
      EVENT_LOOP_DELAY_MS_THRESHOLD: '60000',
      ...this.extraEnv,
    };
    super.start();
    this.readyAt = await this.waitHttp(`${this.url}/api/health`);
    return this;
  }

  async dispose() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function login(url, username, password = 'demo-password') {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return { token: body.accessToken, userId: body.user.id, username, role: body.user.role };
}

export function loginAll(url) {
  return Promise.all(DEMO_USERS.map((u) => login(url, u)));
}

/** 127.0.0.2 … 127.0.0.(n+1): source addresses for client sockets, past the ephemeral-port limit. */
export function sourceAddresses(n) {
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 2}`);
}
