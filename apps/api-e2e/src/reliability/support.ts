import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { type Server, type Socket, connect, createServer } from 'node:net';

import Database from 'better-sqlite3';
import { Client } from 'pg';

import { type ApiProcess, TEST_JWT_SECRET } from '@realtime/test-support';

/** A count from the environment (e.g. RELIABILITY_CYCLES=200), or the CI-sized default. */
export function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}="${raw}" must be a positive whole number`);
  return n;
}

/** Waits for `predicate` to hold, polling on a short interval, or fails after `timeoutMs`. */
export async function until<T>(
  predicate: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await predicate();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Pair {
  client: Socket;
  upstream: Socket;
  stalled: boolean;
}

/**
 * A TCP proxy between test clients and the API (127.0.0.1 only) that can break the
 * connections going through it: reset them (RST), drop them (FIN both ways), or stall them
 * (stop forwarding in both directions, so bytes pile up unseen until the next action).
 */
export class ChaosProxy {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly pairs: Set<Pair>,
    private readonly counter: { accepted: number },
  ) {}

  /** Connections accepted so far: a reconnect shows up as a new one. */
  get accepted(): number {
    return this.counter.accepted;
  }

  static async start(targetPort: number): Promise<ChaosProxy> {
    const pairs = new Set<Pair>();
    const counter = { accepted: 0 };
    const server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      const pair: Pair = { client, upstream, stalled: false };
      pairs.add(pair);
      counter.accepted++;
      client.pipe(upstream);
      upstream.pipe(client);
      const forget = () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new ChaosProxy(server, (server.address() as { port: number }).port, pairs, counter);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get open(): number {
    return this.pairs.size;
  }

  /** Both ends get a TCP reset, as when a NAT or a load balancer forgets the connection. */
  resetAll(): number {
    const n = this.pairs.size;
    for (const { client, upstream } of [...this.pairs]) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.pairs.clear();
    return n;
  }

  /** Both ends see an orderly close (FIN), as when a proxy times a connection out. */
  dropAll(): number {
    const n = this.pairs.size;
    for (const { client, upstream } of [...this.pairs]) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.end();
      upstream.end();
    }
    return n;
  }

  /** Nothing is forwarded any more on the open connections: bytes wait in the proxy. */
  stallAll(): number {
    for (const pair of this.pairs) {
      pair.stalled = true;
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.client.pause();
      pair.upstream.pause();
    }
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.resetAll();
    const closed = once(this.server, 'close');
    this.server.close();
    await closed;
  }
}

/**
 * Runs SQL against the test database of `api` directly (better-sqlite3 or pg): test-only
 * users beyond the three demo ones, and deleting one to attack with its token.
 */
export async function sql(api: ApiProcess, text: string, params: unknown[] = []): Promise<Row[]> {
  const url = api.env['DATABASE_URL'];
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length));
    try {
      db.pragma('busy_timeout = 5000');
      const stmt = db.prepare(text.replace(/\$\d+/g, '?'));
      return stmt.reader ? (stmt.all(...params) as Row[]) : (stmt.run(...params), []);
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Row[];
  } finally {
    await client.end();
  }
}
type Row = Record<string, unknown>;

/**
 * Inserts users (no usable password: tests sign their tokens) and returns their ids. Roles go
 * round `roles` (viewer, the column's default, unless told).
 */
export async function insertUsers(
  api: ApiProcess,
  names: string[],
  roles: Array<'admin' | 'operator' | 'viewer'> = ['viewer'],
): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, name] of names.entries()) {
    await sql(api, 'INSERT INTO users (username, password_hash, created_at, role) VALUES ($1, $2, $3, $4)', [
      name,
      '!test-only',
      Date.now(),
      roles[i % roles.length],
    ]);
    const [row] = await sql(api, 'SELECT id FROM users WHERE username = $1', [name]);
    ids.push(Number(row['id']));
  }
  return ids;
}

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A token as the API issues it, or bent in one way: header and claims override the defaults. */
export function signToken(
  claims: Record<string, unknown>,
  options: { header?: Record<string, unknown>; secret?: string | null; hash?: 'sha256' | 'sha512' } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64url({ alg: 'HS256', typ: 'JWT', ...options.header })}.${b64url({
    iss: 'realtime-dashboard',
    aud: 'realtime-dashboard',
    iat: now,
    exp: now + 600,
    ...claims,
  })}`;
  const secret = options.secret === undefined ? TEST_JWT_SECRET : options.secret;
  if (secret === null) return `${head}.`;
  return `${head}.${createHmac(options.hash ?? 'sha256', secret)
    .update(head)
    .digest('base64url')}`;
}
