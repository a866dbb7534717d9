import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

import { Logger } from '@nestjs/common';
import type SQLite from 'better-sqlite3';

export interface CheckpointerOptions {
  /** How often the thread checkpoints. */
  intervalMs: number;
  /** A log longer than this (pages) after a checkpoint is restarted (writers wait, once). */
  restartAtPages: number;
}

/** SQLite's answer to `wal_checkpoint`: frames in the log, and how many are in the file now. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** The thread's script, built beside main.js (apps/api/webpack.config.js). */
const SCRIPT = join(__dirname, 'sqlite-checkpointer.js');
/** SQLite's own default, restored whenever the thread is not there. */
const AUTOCHECKPOINT_PAGES = 1000;
const DEFAULTS: CheckpointerOptions = { intervalMs: 200, restartAtPages: 16_384 };

/**
 * WAL checkpoints on a thread of their own. SQLite runs one on the committing connection every
 * 1,000 pages of log, and with `synchronous = NORMAL` that is where it syncs the database file:
 * under `npm run bench -- chat` (1,000 messages/s, ~2 pages of index per message) that was a
 * stall of the API thread about twice a second, ~13 ms on this disk and longer as the file
 * grew (a micro-benchmark of the chat's inserts: commit 20 µs a row with the automatic
 * checkpoint, 8 without), and it was the event loop's delay p99. Here the API's connection does
 * not checkpoint; a thread with its own connection checkpoints every 200 ms in PASSIVE mode,
 * which waits for no one. Without a file (in-memory), or without the built script (unit tests
 * run the sources), SQLite checkpoints as it always did.
 */
export class SqliteCheckpointer extends EventEmitter<{ checkpointed: [CheckpointResult] }> {
  private readonly logger = new Logger(SqliteCheckpointer.name);
  private stopped: Promise<void> | undefined;

  private constructor(
    private readonly sqlite: SQLite.Database,
    private readonly worker: Worker,
  ) {
    super();
    sqlite.pragma('wal_autocheckpoint = 0');
    // After a restart the log file is cut back to this size instead of keeping its peak.
    sqlite.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
    worker.unref();
    worker.on('message', (m: { error?: string; checkpointed?: CheckpointResult }) => {
      if (m.error) this.logger.warn(`checkpoint failed: ${m.error}`);
      if (m.checkpointed) this.emit('checkpointed', m.checkpointed);
    });
    const gone = (why: string) => {
      if (this.stopped) return;
      this.logger.warn(`the checkpoint thread stopped (${why}); the API's connection checkpoints again`);
      this.autocheckpoint();
    };
    worker.on('error', (err) => gone(err.message));
    worker.on('exit', (code) => gone(`exit code ${code}`));
  }

  /** A checkpointer for `file`, or none (in-memory database, no built script). */
  static start(
    sqlite: SQLite.Database,
    file: string,
    options: Partial<CheckpointerOptions> & {
      script?: string;
      thread?: Pick<WorkerOptions, 'execArgv' | 'env'>;
    } = {},
  ): SqliteCheckpointer | undefined {
    const { script = SCRIPT, thread, ...rest } = options;
    if (file === ':memory:' || !existsSync(script)) return undefined;
    const worker = new Worker(script, { ...thread, workerData: { file, ...DEFAULTS, ...rest } });
    return new SqliteCheckpointer(sqlite, worker);
  }

  /** The thread's last checkpoint, then it ends; the API's connection checkpoints from here on. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      // Unreferenced while it runs (it never holds the process up); waited for when stopping.
      this.worker.ref();
      this.worker.postMessage('stop');
    }).then(() => this.autocheckpoint());
    return this.stopped;
  }

  private autocheckpoint() {
    if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
