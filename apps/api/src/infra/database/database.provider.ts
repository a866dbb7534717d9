import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import SQLite from 'better-sqlite3';
import {
  Kysely,
  type LogEvent,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type SqliteDatabase,
  sql,
} from 'kysely';
import { Pool, types } from 'pg';

import { CodeMigrationProvider } from './migrations';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import type { Database } from './schema';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, without credentials: for logs and health. */
  location: string;
  /** Statements run since start (health shows it; tests count a feature's queries with it). */
  queryCount?: () => number;
  /** SQLite only: better-sqlite3 itself, for the one hot path that a profile showed needs it. */
  sqlite?: SqliteDirect;
  /** Closes the database: its pool or connection, and SQLite's checkpoint thread first. */
  close(): Promise<void>;
}

/**
 * Direct use of the SQLite connection that Kysely drives. `transaction` waits until no Kysely
 * query or transaction holds the connection (Kysely's own connection lock), then runs `work`
 * synchronously inside BEGIN … COMMIT (rolled back if it throws). Counted and timed like a
 * Kysely query, as one `statement` (the label is `statement`'s first word).
 */
export interface SqliteDirect {
  transaction<T>(statement: string, work: (db: SQLite.Database) => T): Promise<T>;
}

/** Counts statements (health shows it), then passes each on to the metrics' hook, if any. */
function counting(next: ((event: LogEvent) => void) | undefined, observer?: QueryObserver) {
  let n = 0;
  return {
    log: (event: LogEvent) => {
      n++;
      next?.(event);
    },
    /** A statement run outside Kysely. */
    direct: (statement: string, seconds: number, ok: boolean) => {
      n++;
      observer?.dbQuery(statement, seconds, ok);
    },
    count: () => n,
  };
}

// BIGINT (int8) and NUMERIC come back from pg as strings; our values (epoch ms, ids,
// cents) fit in a double, so read them as numbers like SQLite does.
types.setTypeParser(20, (v) => Number(v));
types.setTypeParser(1700, (v) => Number(v));

/** Statements kept per database; our queries are parameterised, so a few dozen texts recur. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 behind Kysely, with each prepared statement kept by its SQL text: Kysely
 * prepares every query anew, which compiled the same few statements thousands of times a
 * second under chat load (docs/benchmarks.md). Safe because the driver runs one statement
 * to completion at a time (`all`/`run`, no open iterators: nothing here streams).
 */
export function withStatementCache(db: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text); // most recently used last
      } else {
        statement = db.prepare(text);
        if (statements.size >= size) statements.delete(statements.keys().next().value as string);
      }
      statements.set(text, statement);
      return statement;
    },
    close: () => db.close(),
  };
}

/** Told the duration of every query (Kysely's `log` hook): the process's Metrics. */
export interface QueryObserver {
  dbQuery(sql: string, seconds: number, ok: boolean): void;
}

function queryLog(observer: QueryObserver | undefined) {
  if (!observer) return undefined;
  return (event: LogEvent) =>
    observer.dbQuery(event.query.sql, event.queryDurationMillis / 1000, event.level === 'query');
}

export function openDatabase(url: string, observer?: QueryObserver): DatabaseHandle {
  const queries = counting(queryLog(observer), observer);
  const log = queries.log;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const path = file === ':memory:' ? file : resolve(file);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    // With WAL, NORMAL syncs at checkpoints instead of on every commit: a commit survives a crash
    // of the process (kill -9 included), and only the last ones may roll back on power loss.
    // FULL (the default) blocked the event loop ~2 ms per insert on this disk, which capped the
    // chat at a few hundred messages per second (docs/benchmarks.md).
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
      log,
    });
    const checkpointer = SqliteCheckpointer.start(sqlite, path);
    return {
      db,
      dialect: 'sqlite',
      location: path,
      queryCount: queries.count,
      close: async () => {
        await checkpointer?.stop();
        await db.destroy();
      },
      sqlite: {
        transaction: <T>(statement: string, work: (conn: SQLite.Database) => T) =>
          db.connection().execute(async () => {
            const started = performance.now();
            let ok = false;
            try {
              const result = sqlite.transaction(work)(sqlite);
              ok = true;
              return result;
            } finally {
              queries.direct(statement, (performance.now() - started) / 1000, ok);
            }
          }),
      },
    };
  }
  const pool = new Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
  });
  // An idle client that loses its server emits 'error' on the pool; without a
  // listener that would crash the process instead of failing the next query.
  pool.on('error', () => undefined);
  const u = new URL(url);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
  return {
    db,
    close: () => db.destroy(),
    dialect: 'postgres',
    location: `postgres://${u.host}${u.pathname}`,
    queryCount: queries.count,
  };
}

export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  const migrator = new Migrator({
    db: handle.db,
    provider: new CodeMigrationProvider(handle.dialect),
    // Features add migrations on parallel branches: a database that already ran a later name
    // still takes an earlier one that lands after it.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** True when `err` is a unique-constraint violation on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | null;
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
