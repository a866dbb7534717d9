// The SQLite checkpointer thread (built as its own file, `sqlite-checkpointer.js`, beside
// main.js; see sqlite-checkpointer.ts): its own connection, a checkpoint every `intervalMs`.
import { parentPort, workerData } from 'node:worker_threads';

import SQLite from 'better-sqlite3';

import type { CheckpointResult, CheckpointerOptions } from './sqlite-checkpointer';

const port = parentPort;
if (!port) throw new Error('sqlite-checkpointer runs as a worker thread');
const { file, intervalMs, restartAtPages } = workerData as CheckpointerOptions & { file: string };

const db = new SQLite(file);
db.pragma('busy_timeout = 5000');

function checkpoint() {
  try {
    // PASSIVE copies what it can without waiting for anyone: writers go on meanwhile.
    let [result] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
    // Writers that never pause could keep the log from being restarted (each checkpoint
    // leaves the frames committed while it ran): past the bound, RESTART waits for them once.
    if (result && result.log > restartAtPages)
      [result] = db.pragma('wal_checkpoint(RESTART)') as CheckpointResult[];
    if (result && result.checkpointed > 0) port?.postMessage({ checkpointed: result });
  } catch (err) {
    port?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}

const timer = setInterval(checkpoint, intervalMs);
port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  port.close();
});
