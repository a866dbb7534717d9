import { type BatchScheduler, BatchedReads } from './batched-reads';

/** A clock and timer that move only when the test says so. */
function manualScheduler() {
  let now = 1000;
  let timers: Array<{ at: number; run: () => void }> = [];
  const scheduler: BatchScheduler = {
    now: () => now,
    later: (run, delayMs) => void timers.push({ at: now + delayMs, run }),
  };
  return {
    scheduler,
    /** Delays of the timers set so far, relative to now. */
    delays: () => timers.map((t) => t.at - now),
    /** Moves the clock by `ms` and runs the timers due. */
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      due.forEach((t) => t.run());
    },
  };
}

describe('BatchedReads', () => {
  it('serves the asks made before the read starts with one read of all of them', async () => {
    const clock = manualScheduler();
    const read = jest.fn(async (asks: readonly number[]) => [...asks]);
    const reads = new BatchedReads(read, 20, clock.scheduler);
    const a = reads.get(5);
    const b = reads.get(1);
    const c = reads.get(3);
    expect(read).not.toHaveBeenCalled();
    clock.advance(0);
    expect(await Promise.all([a, b, c])).toEqual([
      [5, 1, 3],
      [5, 1, 3],
      [5, 1, 3],
    ]);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('reads an ask at once when no read ran lately, and waits out the interval after one', async () => {
    const clock = manualScheduler();
    const read = jest.fn(async (asks: readonly string[]) => asks.join(','));
    const reads = new BatchedReads(read, 20, clock.scheduler);
    const first = reads.get('a');
    expect(clock.delays()).toEqual([0]);
    clock.advance(0);
    expect(await first).toBe('a');
    clock.advance(5);
    // 5 ms after a read: the next one waits for the remaining 15 ms, and gathers meanwhile.
    const b = reads.get('b');
    expect(clock.delays()).toEqual([15]);
    clock.advance(10);
    const c = reads.get('c');
    expect(read).toHaveBeenCalledTimes(1);
    clock.advance(5);
    expect(await Promise.all([b, c])).toEqual(['b,c', 'b,c']);
    // Long after the last read: at once again.
    clock.advance(100);
    void reads.get('d');
    expect(clock.delays()).toEqual([0]);
  });

  it('sends an ask made once the read has started to the next read', async () => {
    const clock = manualScheduler();
    let finish: (v: string) => void = () => undefined;
    const read = jest
      .fn<Promise<string>, [readonly number[]]>()
      .mockImplementationOnce(() => new Promise((resolve) => (finish = resolve)))
      .mockImplementationOnce(async (asks) => `second:${asks.join(',')}`);
    const reads = new BatchedReads(read, 20, clock.scheduler);
    const first = reads.get(1);
    clock.advance(0);
    expect(reads.pending).toBe(false);
    // The first read runs: its snapshot may predate this ask, so the ask may not share it.
    const later = reads.get(2);
    expect(reads.pending).toBe(true);
    finish('first');
    expect(await first).toBe('first');
    clock.advance(20);
    expect(await later).toBe('second:2');
    expect(read.mock.calls.map(([asks]) => asks)).toEqual([[1], [2]]);
  });

  it('fails every ask of a batch whose read fails, and reads again for the next ask', async () => {
    const clock = manualScheduler();
    const read = jest
      .fn<Promise<string>, [readonly number[]]>()
      .mockRejectedValueOnce(new Error('database away'))
      .mockResolvedValueOnce('back');
    const reads = new BatchedReads(read, 20, clock.scheduler);
    const a = reads.get(1);
    const b = reads.get(2);
    clock.advance(0);
    await expect(a).rejects.toThrow('database away');
    await expect(b).rejects.toThrow('database away');
    const c = reads.get(3);
    clock.advance(20);
    await expect(c).resolves.toBe('back');
  });

  it('fails the batch when the read throws before returning a promise', async () => {
    const clock = manualScheduler();
    const reads = new BatchedReads<number, string>(
      () => {
        throw new Error('bad query');
      },
      20,
      clock.scheduler,
    );
    const a = reads.get(1);
    clock.advance(0);
    await expect(a).rejects.toThrow('bad query');
  });
});
