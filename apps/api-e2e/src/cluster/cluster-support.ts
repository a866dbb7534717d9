import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';

import Redis from 'ioredis';

import { ApiProcess, TEST_MONITORING_TOKEN, TestDatabase, freePort, request } from '@realtime/test-support';

/** The machine's shared Redis; a test that restarts Redis starts its own instead. */
export const SHARED_REDIS_URL = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two API instances (A and B) on free ports sharing one PostgreSQL database (whatever E2E_DB
 * says) and one Redis, under a key prefix of their own: parallel runs on the same Redis never
 * see each other's keys or channels, and only this run's keys are deleted afterwards.
 */
export class Cluster {
  private constructor(
    readonly a: ApiProcess,
    readonly b: ApiProcess,
    readonly database: TestDatabase,
    readonly redisUrl: string,
    readonly prefix: string,
  ) {}

  static async start(options: { redisUrl?: string; env?: Record<string, string> } = {}): Promise<Cluster> {
    const redisUrl = options.redisUrl ?? SHARED_REDIS_URL;
    const prefix = `e2e:${randomBytes(6).toString('hex')}:`;
    const database = await TestDatabase.create('postgres');
    const env = {
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      SIMULATOR: 'false',
      PRESENCE_TTL_MS: '1500',
      DASHBOARD_TICK_MS: '500',
      CHAT_RATE_BURST: '1000',
      ...options.env,
    };
    // One after the other: the first runs the migrations and seeds the demo users.
    const a = await ApiProcess.start({ env, database });
    const b = await ApiProcess.start({ env, database });
    return new Cluster(a, b, database, redisUrl, prefix);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.a.stop(), this.b.stop()]);
    await this.database.drop();
    const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch {
      // this run's own Redis is already gone
    } finally {
      redis.disconnect();
    }
  }
}

/** A redis-server of this test's own on a free port, without persistence, to kill and restart. */
export class OwnRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.spawn();
    return redis;
  }

  async spawn(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = () => (output.includes('Ready to accept connections') ? resolve() : undefined);
        child.stdout!.on('data', check);
      }),
      once(child, 'exit').then(() => {
        throw new Error(`redis-server exited:\n${output}`);
      }),
    ]);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

export interface Health {
  status: string;
  degraded: boolean;
  details: {
    redis: { status: string; connected?: boolean };
    connections: { activeUsers: number; activeUsersHere: number; instance: string };
    dashboard: { ticks: 'publishing' | 'following' };
  };
}

export async function health(api: ApiProcess): Promise<Health> {
  // The details are for monitoring: the harness starts every API with TEST_MONITORING_TOKEN.
  return (await request<Health>(api, 'GET', '/api/health', { token: TEST_MONITORING_TOKEN })).body;
}

/** Polls `read` until `done` holds, or fails after a deadline: for state that changes on its own. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    let error: unknown;
    try {
      value = await read();
      if (done(value)) return value;
    } catch (err) {
      error = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}; last: ${error ? String(error) : JSON.stringify(value)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
