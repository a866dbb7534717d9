import { EventIds, parseEventId } from './event-ids';
import { type Tick, TickRing } from './tick-ring';

const tick = (id: number, at = id): Tick => ({
  id,
  at,
  event: { id: String(id), type: 'metrics', data: `{"n":${id}}` },
  metrics: { timestamp: at } as Tick['metrics'],
});

describe('EventIds', () => {
  it('follows the clock but never repeats or goes back', () => {
    const ids = new EventIds(1000);
    expect(ids.next(1000)).toBe(1000);
    expect(ids.next(1000)).toBe(1001);
    expect(ids.next(999)).toBe(1002);
    expect(ids.next(5000)).toBe(5000);
    ids.observe(9000);
    expect(ids.next(6000)).toBe(9001);
  });

  it('parses only the ids it issues; anything else is no id', () => {
    expect(parseEventId('1795575930688')).toBe(1795575930688);
    expect(parseEventId(' 42 ')).toBe(42);
    for (const bad of [undefined, '', 'abc', '-5', '1e5', '12.5', '9'.repeat(16), ['1'], 7]) {
      expect(parseEventId(bad)).toBeNull();
    }
  });
});

describe('TickRing', () => {
  it('replays the ticks after an id, in order, and keeps only the retention window', () => {
    const ring = new TickRing(10_000, 1000, 1000);
    for (let at = 1000; at <= 20_000; at += 1000) ring.push(tick(at));
    // 20 s of ticks, 10 s kept: 10_000..20_000
    expect(ring.size).toBe(11);
    expect(ring.after(15_000)!.map((t) => t.id)).toEqual([16_000, 17_000, 18_000, 19_000, 20_000]);
    expect(ring.after(15_500)!.map((t) => t.id)).toEqual([16_000, 17_000, 18_000, 19_000, 20_000]);
    expect(ring.after(20_000)).toEqual([]);
    // the newest evicted tick is 9_000: a client that saw it misses nothing
    expect(ring.after(9_000)!.map((t) => t.id)[0]).toBe(10_000);
    // one that saw only 8_000 missed 9_000, which is gone
    expect(ring.after(8_000)).toBeNull();
  });

  it('knows nothing before its first possible id (a restart) but everything after', () => {
    const ring = new TickRing(60_000, 100, 5000);
    ring.push(tick(5000));
    ring.push(tick(6000));
    expect(ring.after(4998)).toBeNull();
    expect(ring.after(4999)!.map((t) => t.id)).toEqual([5000, 6000]);
    expect(ring.after(5500)!.map((t) => t.id)).toEqual([6000]);
  });

  it('caps the number of ticks and ignores ids that do not grow', () => {
    const ring = new TickRing(3_600_000, 3, 1);
    [1, 2, 3, 4, 4, 2].forEach((id) => ring.push(tick(id)));
    expect(ring.size).toBe(3);
    expect(ring.after(1)!.map((t) => t.id)).toEqual([2, 3, 4]);
    expect(ring.after(0)).toBeNull();
  });

  it('evicts on time alone and lists the ticks of the last minutes', () => {
    const ring = new TickRing(10_000, 1000, 0);
    ring.push(tick(1000));
    ring.push(tick(2000));
    expect(ring.since(1500).map((t) => t.id)).toEqual([2000]);
    ring.evict(11_500);
    expect(ring.size).toBe(1);
    ring.evict(12_001);
    expect(ring.size).toBe(0);
    expect(ring.after(1500)).toBeNull();
    expect(ring.after(2000)).toEqual([]);
  });
});
