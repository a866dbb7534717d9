import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import SQLite from 'better-sqlite3';
import { sql } from 'kysely';

import { openDatabase, withStatementCache } from './database.provider';

describe('openDatabase (SQLite)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rt-db-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses WAL with synchronous NORMAL: no fsync per commit, still safe from a process crash', async () => {
    const handle = openDatabase(`sqlite:${join(dir, 'x.db')}`);
    try {
      const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(handle.db);
      const sync = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(handle.db);
      expect(mode.rows[0].journal_mode).toBe('wal');
      expect(sync.rows[0].synchronous).toBe(1); // NORMAL
    } finally {
      await handle.db.destroy();
    }
  });
});

describe('withStatementCache', () => {
  it('prepares each SQL text once, and forgets the least recently used past its size', () => {
    const db = new SQLite(':memory:');
    const prepare = jest.spyOn(db, 'prepare');
    const cached = withStatementCache(db, 2);
    const a = cached.prepare('SELECT 1');
    expect(cached.prepare('SELECT 1')).toBe(a);
    cached.prepare('SELECT 2');
    cached.prepare('SELECT 1'); // now the most recent
    cached.prepare('SELECT 3'); // evicts SELECT 2
    expect(cached.prepare('SELECT 1')).toBe(a);
    cached.prepare('SELECT 2');
    expect(prepare.mock.calls.map(([text]) => text)).toEqual([
      'SELECT 1',
      'SELECT 2',
      'SELECT 3',
      'SELECT 2',
    ]);
    cached.close();
    expect(db.open).toBe(false);
  });
});
