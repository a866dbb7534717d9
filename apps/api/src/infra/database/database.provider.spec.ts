import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { sql } from 'kysely';

import { openDatabase } from './database.provider';

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
