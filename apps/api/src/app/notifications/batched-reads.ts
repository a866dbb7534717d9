/** When a batch's read runs: a clock and a timer, injected so that tests drive them by hand. */
export interface BatchScheduler {
  now(): number;
  /** Runs `run` after `delayMs` (0: once the current turn of the event loop is over). */
  later(run: () => void, delayMs: number): void;
}

export const realBatchScheduler: BatchScheduler = {
  now: () => performance.now(),
  later: (run, delayMs) => void (delayMs > 0 ? setTimeout(run, delayMs) : setImmediate(run)),
};

/**
 * Asks that come together share one read. An ask when no read has started for `intervalMs` is
 * read at once (once the current turn of the event loop is over, so the asks that the same poll
 * of the sockets parsed go with it); while reads follow each other, the asks wait together for
 * the next, at most one read per `intervalMs`. An ask joins a batch only before its read
 * starts, and waits for the next one after that. Each ask gets the whole batch's result.
 *
 * Why: after a restart, thousands of notification streams resume at once. One by one, each
 * opening was a transaction of three queries: a notification stream cost the API 1.72 ms of
 * CPU against 1.15 ms for a dashboard stream (`npm run bench -- restart-storm`, 2,000 streams
 * of each kind, quiet machine). A read per turn of the event loop did not help: the server
 * parses about one request per turn. One read per 20 ms serves 15–25 openings in a storm.
 *
 * A stream listens to its live events before it asks for its opening (the stream core's
 * Follower), and joins a batch only before the batch's read starts, so the snapshot is always
 * taken after the stream listens: an event published meanwhile is in the snapshot, live, or
 * both (the Follower drops the second copy), never in neither.
 */
export class BatchedReads<A, R> {
  private waiting: { asks: A[]; result: Promise<R> } | null = null;
  private lastStart = -Infinity;

  constructor(
    private readonly read: (asks: readonly A[]) => Promise<R>,
    private readonly intervalMs: number,
    private readonly scheduler: BatchScheduler = realBatchScheduler,
  ) {}

  /** The read that serves `ask`, shared with every ask that joins the same batch. */
  get(ask: A): Promise<R> {
    if (!this.waiting) {
      const asks: A[] = [];
      const delay = Math.max(0, this.lastStart + this.intervalMs - this.scheduler.now());
      const result = new Promise<R>((resolve, reject) =>
        this.scheduler.later(() => {
          // From now on an ask waits for the next read.
          this.waiting = null;
          this.lastStart = this.scheduler.now();
          let reading: Promise<R>;
          try {
            reading = this.read(asks);
          } catch (err) {
            return reject(err);
          }
          reading.then(resolve, reject);
        }, delay),
      );
      this.waiting = { asks, result };
    }
    this.waiting.asks.push(ask);
    return this.waiting.result;
  }

  /** Whether a read is scheduled and not started (for tests). */
  get pending(): boolean {
    return this.waiting !== null;
  }
}
