import { Outbox, newClientId } from './outbox';

class MemoryStorage implements Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  readonly data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
  removeItem = (k: string) => void this.data.delete(k);
}

const entry = (clientId: string, content = clientId) => ({
  clientId,
  roomId: 'general',
  content,
  createdAt: 1,
});

describe('Outbox', () => {
  let storage: MemoryStorage;
  const open = () => new Outbox(storage as unknown as Storage, 'outbox');

  beforeEach(() => (storage = new MemoryStorage()));

  it('keeps the order of writing and gives the oldest pending entry first', () => {
    const box = open();
    box.add(entry('a'));
    box.add(entry('b'));
    box.add(entry('c'));
    expect(box.nextPending()?.clientId).toBe('a');
    box.remove('a');
    expect(box.nextPending()?.clientId).toBe('b');
    expect(box.entries.map((e) => e.clientId)).toEqual(['b', 'c']);
  });

  it('survives a reload: a new outbox on the same storage has the same entries', () => {
    const box = open();
    box.add(entry('a', 'first'));
    box.add(entry('b', 'second'));
    box.markFailed('a', 'too long');
    const reloaded = open();
    expect(reloaded.entries).toEqual([
      { ...entry('a', 'first'), status: 'failed', error: 'too long' },
      { ...entry('b', 'second'), status: 'pending' },
    ]);
  });

  it('skips failed entries until retried, and a retried entry keeps its place', () => {
    const box = open();
    box.add(entry('a'));
    box.add(entry('b'));
    box.markFailed('a', 'refused');
    expect(box.nextPending()?.clientId).toBe('b');
    box.retry('a');
    expect(box.nextPending()).toEqual({ ...entry('a'), status: 'pending' });
  });

  it('clears the storage key when empty and ignores corrupt or foreign data', () => {
    const box = open();
    box.add(entry('a'));
    box.remove('a');
    expect(storage.data.has('outbox')).toBe(false);
    storage.data.set('outbox', '{not json');
    expect(open().entries).toEqual([]);
    storage.data.set('outbox', JSON.stringify([{ clientId: 1 }, { ...entry('ok'), status: 'pending' }]));
    expect(open().entries.map((e) => e.clientId)).toEqual(['ok']);
  });

  it("keeps another tab's entries: every change starts from what storage holds", () => {
    const tabA = open();
    const tabB = open();
    tabA.add(entry('a'));
    tabB.add(entry('b'));
    tabB.remove('b');
    expect(open().entries.map((e) => e.clientId)).toEqual(['a']);
    expect(tabB.entries.map((e) => e.clientId)).toEqual(['a']);
    tabA.add(entry('c'));
    expect(tabB.refresh()).toBe(true);
    expect(tabB.entries.map((e) => e.clientId)).toEqual(['a', 'c']);
    expect(tabB.refresh()).toBe(false);
  });

  it('still works without storage, or when storage throws', () => {
    const box = new Outbox(null, 'outbox');
    box.add(entry('a'));
    expect(box.entries).toHaveLength(1);
    const broken = {
      getItem: () => null,
      setItem: () => {
        throw new Error('full');
      },
      removeItem: () => undefined,
    };
    const box2 = new Outbox(broken as unknown as Storage, 'outbox');
    box2.add(entry('a'));
    expect(box2.nextPending()?.clientId).toBe('a');
  });

  it('makes unique client ids, with or without crypto.randomUUID', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newClientId()));
    expect(ids.size).toBe(100);
    const noUuid = { getRandomValues: (a: Uint8Array) => a.fill(7) } as unknown as Crypto;
    expect(newClientId(noUuid)).toMatch(/^(07){16}$/);
  });
});
