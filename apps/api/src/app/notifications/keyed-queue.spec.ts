import { KeyedQueue } from './keyed-queue';

/** A promise the test settles by hand. */
function gate<T = void>() {
  let open!: (value: T) => void;
  let fail!: (err: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KeyedQueue', () => {
  it('runs the tasks of one key one at a time, in call order, and other keys alongside', async () => {
    const queue = new KeyedQueue<number>();
    const log: string[] = [];
    const first = gate();
    const a1 = queue.run(1, async () => {
      log.push('a1 start');
      await first.promise;
      log.push('a1 end');
    });
    const a2 = queue.run(1, async () => void log.push('a2'));
    const b1 = queue.run(2, async () => void log.push('b1'));
    await b1;
    await flush();
    expect(log).toEqual(['a1 start', 'b1']);
    first.open();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('goes on after a task fails, and hands the failure to its caller only', async () => {
    const queue = new KeyedQueue<string>();
    const failing = queue.run('k', async () => {
      throw new Error('boom');
    });
    const next = queue.run('k', async () => 42);
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe(42);
  });

  it('forgets a key once its tasks are done', async () => {
    const queue = new KeyedQueue<number>();
    const g = gate();
    const task = queue.run(7, () => g.promise);
    expect(queue.size).toBe(1);
    g.open();
    await task;
    await flush();
    expect(queue.size).toBe(0);
  });
});
