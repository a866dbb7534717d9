import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { Client } from 'pg';

const MAIN = process.env.E2E_API_MAIN ?? resolve(__dirname, '../../../dist/apps/api/main.js');
/** The real PostgreSQL server of this machine and CI; each suite gets its own database. */
export const PG_ADMIN_URL = process.env.E2E_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const E2E_DB = (process.env.E2E_DB ?? 'sqlite') as 'sqlite' | 'postgres';
export const TEST_JWT_SECRET = 'e2e-secret-0123456789abcdef0123456789abcdef';
/** `Authorization: Bearer` this to read the details of `GET /api/health` (MONITORING_TOKEN). */
export const TEST_MONITORING_TOKEN = 'e2e-monitoring-0123456789abcdef0123456789';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/** A fresh, empty database (SQLite file or PostgreSQL database) for one suite. */
export class TestDatabase {
  private constructor(
    readonly url: string,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async create(kind = E2E_DB): Promise<TestDatabase> {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'rt-e2e-'));
      return new TestDatabase(`sqlite:${join(dir, 'e2e.db')}`, async () =>
        rmSync(dir, { recursive: true, force: true }),
      );
    }
    const name = `e2e_${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    return new TestDatabase(url.toString(), async () => {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    });
  }

  drop(): Promise<void> {
    return this.cleanup();
  }
}

export interface ApiOptions {
  env?: Record<string, string>;
  database?: TestDatabase;
  port?: number;
}

/** The built API (`dist/apps/api/main.js`) running as a child process on a free port. */
export class ApiProcess {
  private child: ChildProcess | undefined;
  private output = '';
  readonly baseUrl: string;

  private constructor(
    readonly port: number,
    readonly env: Record<string, string>,
    private readonly ownDatabase: TestDatabase | undefined,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  static async start(options: ApiOptions = {}): Promise<ApiProcess> {
    const ownDatabase = options.database ? undefined : await TestDatabase.create();
    const database = options.database ?? ownDatabase!;
    const port = options.port ?? (await freePort());
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: database.url,
      LOGIN_RATE_LIMIT: '100000',
      // Suites that are not about these limits must not run into them (the edge tests set them low).
      REFRESH_RATE_PER_S: '100000',
      REFRESH_RATE_BURST: '100000',
      ORDER_RATE_PER_S: '100000',
      ORDER_RATE_BURST: '100000',
      MONITORING_TOKEN: TEST_MONITORING_TOKEN,
      DEMO: 'true',
      ...options.env,
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    const api = new ApiProcess(port, env, ownDatabase);
    await api.spawn();
    return api;
  }

  /** The combined stdout and stderr so far. */
  get logs(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async spawn(): Promise<void> {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`API exited with ${code} before it was ready:\n${this.output}`);
    });
    exited.catch(() => undefined);
    await Promise.race([this.waitHealthy(), exited]);
  }

  private async waitHealthy(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const res = await fetch(`${this.baseUrl}/api/health`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`API not healthy after 30 s:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the process (SIGTERM by default) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = once(child, 'exit');
    child.kill(signal);
    const [code] = await exited;
    return code as number | null;
  }

  /** Stops and starts again on the same port and database. */
  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.spawn();
  }

  /** Stops the process and drops the database it created. */
  async dispose(): Promise<void> {
    await this.stop();
    await this.ownDatabase?.drop();
  }
}

/** Runs the built API with `env` until it exits; for start-up failures. */
export async function runApiUntilExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code: code as number | null, output };
}
