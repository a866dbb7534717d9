// Load processes (child_process.fork) that the scenarios drive by request/reply over IPC.
import { fork } from 'node:child_process';
import { once } from 'node:events';

export class WorkerPool {
  constructor(script, count) {
    this.seq = 0;
    this.pending = new Map();
    this.workers = Array.from({ length: count }, () => {
      const w = fork(script, [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        execArgv: ['--max-old-space-size=2048'],
      });
      w.on('message', (m) => {
        const p = this.pending.get(m.seq);
        if (p) {
          this.pending.delete(m.seq);
          p(m);
        }
      });
      return w;
    });
  }

  call(i, msg) {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(seq, resolve);
      this.workers[i].send({ ...msg, seq });
    });
  }

  /** Sends `make(i)` to every worker, in parallel. */
  all(make) {
    return Promise.all(this.workers.map((_, i) => this.call(i, typeof make === 'function' ? make(i) : make)));
  }

  get pids() {
    return this.workers.map((w) => w.pid);
  }

  async close() {
    await Promise.race([this.all({ cmd: 'close' }), new Promise((r) => setTimeout(r, 5000))]);
    await Promise.all(
      this.workers.map(async (w) => {
        if (w.exitCode === null && w.signalCode === null) {
          const t = setTimeout(() => w.kill('SIGKILL'), 3000);
          await once(w, 'exit');
          clearTimeout(t);
        }
      }),
    );
  }
}

/** Splits `total` into `parts` near-equal whole numbers. */
export function split(total, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}
