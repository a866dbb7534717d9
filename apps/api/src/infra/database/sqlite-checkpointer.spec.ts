import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import SQLite from 'better-sqlite3';

import { type CheckpointResult, SqliteCheckpointer } from './sqlite-checkpointer';

// The thread runs the worker's source through ts-node (with this project's settings), as the
// build runs its bundle.
const script = join(__dirname, 'sqlite-checkpointer.worker.ts');
const thread = {
  execArgv: ['-r', 'ts-node/register/transpile-only'],
  env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '../../../tsconfig.spec.json') },
};

describe('SqliteCheckpointer', () => {
  let dir: string;
  let db: SQLite.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-checkpoint-'));
    db = new SQLite(join(dir, 'x.db'));
    db.pragma('journal_mode = WAL');
    db.exec('create table t (id integer primary key, v text)');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the checkpoints off this connection, copies every committed frame, and hands them back when stopped', async () => {
    const checkpointer = SqliteCheckpointer.start(db, join(dir, 'x.db'), {
      script,
      thread,
      intervalMs: 20,
    })!;
    expect(checkpointer).toBeDefined();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

    const insert = db.prepare('insert into t (v) values (?)');
    for (let i = 0; i < 3000; i++) insert.run('x'.repeat(200)); // ~150 pages, one commit each
    // The thread reports each checkpoint that copied something; wait for one that caught up.
    let result: CheckpointResult;
    do [result] = (await once(checkpointer, 'checkpointed')) as [CheckpointResult];
    while (result.checkpointed < result.log);
    expect(result.log).toBeGreaterThan(0);

    await checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 3000 });
  });

  it('is not started for an in-memory database or without its script', () => {
    expect(SqliteCheckpointer.start(db, ':memory:', { script, thread })).toBeUndefined();
    expect(
      SqliteCheckpointer.start(db, join(dir, 'x.db'), { script: join(dir, 'missing.js') }),
    ).toBeUndefined();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
