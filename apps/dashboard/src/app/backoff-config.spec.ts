import { DEFAULT_BACKOFF } from '@realtime/dashboard/data-access-realtime';

import { backoffFromLocation } from './backoff-config';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

const at = (search: string) => ({ search }) as Location;

describe('backoffFromLocation', () => {
  it('uses the default policy unless a base is given, and remembers it for the tab', () => {
    const storage = new MemoryStorage() as unknown as Storage;
    expect(backoffFromLocation(at(''), storage)).toBe(DEFAULT_BACKOFF);
    expect(backoffFromLocation(at('?backoffBaseMs=250'), storage)).toEqual({
      ...DEFAULT_BACKOFF,
      baseMs: 250,
    });
    expect(backoffFromLocation(at(''), storage).baseMs).toBe(250);
  });

  it('ignores nonsense', () => {
    expect(backoffFromLocation(at('?backoffBaseMs=abc'), null)).toBe(DEFAULT_BACKOFF);
    expect(backoffFromLocation(at('?backoffBaseMs=1'), null)).toBe(DEFAULT_BACKOFF);
  });
});
