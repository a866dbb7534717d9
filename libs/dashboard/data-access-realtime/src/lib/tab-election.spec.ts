import { type Subscription, asyncScheduler } from 'rxjs';

import { broadcastElector, webLocksElector } from './tab-election';
import { FakeBroadcastWorld, FakeLocks, settle } from './testing/tab-fakes';

describe('webLocksElector', () => {
  it('lets one tab lead, hands the lead to the next waiting tab when it leaves, and drops a tab that leaves while waiting', async () => {
    const elect = webLocksElector(new FakeLocks());
    const seen: Record<string, boolean[]> = { a: [], b: [], c: [] };
    const subs: Record<string, Subscription> = {};
    for (const tab of ['a', 'b', 'c']) subs[tab] = elect('rt.streams.1').subscribe((l) => seen[tab].push(l));
    await settle();
    expect(seen).toEqual({ a: [false, true], b: [false], c: [false] });

    subs['b'].unsubscribe(); // waiting: leaves the queue
    subs['a'].unsubscribe(); // leader: c is next
    await settle();
    expect(seen['c']).toEqual([false, true]);
    expect(seen['b']).toEqual([false]);

    // Other names are separate elections (another user's tabs).
    const other: boolean[] = [];
    elect('rt.streams.2').subscribe((l) => other.push(l));
    await settle();
    expect(other).toEqual([false, true]);
    subs['c'].unsubscribe();
  });
});

describe('broadcastElector', () => {
  const options = {
    heartbeatMs: 1000,
    timeoutMs: 3000,
    joinMs: 300,
    scheduler: asyncScheduler,
    random: () => 0,
  };
  let world: FakeBroadcastWorld;
  let subs: Subscription[];

  beforeEach(() => {
    jest.useFakeTimers();
    world = new FakeBroadcastWorld();
    subs = [];
  });
  afterEach(() => {
    subs.forEach((s) => s.unsubscribe());
    jest.useRealTimers();
  });

  function tab(tabId: string) {
    const states: boolean[] = [];
    const sub = broadcastElector(world.factory, { ...options, tabId })('rt.streams.1').subscribe((l) =>
      states.push(l),
    );
    subs.push(sub);
    world.flush();
    return { states, leads: () => states.at(-1) === true, sub };
  }

  /** Lets `ms` pass, delivering what the tabs say as they say it. */
  function pass(ms: number) {
    for (let t = 0; t < ms; t += 100) {
      jest.advanceTimersByTime(100);
      world.flush();
    }
  }

  it('a lone tab leads after listening briefly; a newcomer hears the leader and follows', () => {
    const a = tab('a');
    expect(a.states).toEqual([false]);
    pass(300);
    expect(a.leads()).toBe(true);
    const b = tab('b');
    pass(10_000);
    expect(a.leads()).toBe(true);
    expect(b.states).toEqual([false]);
  });

  it('a leader that leaves resigns and a follower takes over at once; a silent one is replaced after the timeout', () => {
    const a = tab('a');
    pass(300);
    const b = tab('b');
    const c = tab('c');
    pass(2000);
    a.sub.unsubscribe();
    world.flush();
    pass(100);
    expect([b.leads(), c.leads()]).toEqual([true, false]);

    // b crashes: it stops beating without a word (its channel simply goes quiet).
    jest.spyOn(world, 'send').mockImplementation(() => undefined);
    pass(2900);
    expect(c.leads()).toBe(false);
    pass(200);
    expect(c.leads()).toBe(true);
  });

  it('of two leaders that hear each other, the smaller tab id keeps the lead', () => {
    // Both start alone (their first messages are lost), then hear each other.
    const send = jest.spyOn(world, 'send').mockImplementation(() => undefined);
    const b = tab('b');
    const a = tab('a');
    pass(300);
    expect([a.leads(), b.leads()]).toEqual([true, true]);
    send.mockRestore();
    pass(1000);
    expect([a.leads(), b.leads()]).toEqual([true, false]);
    pass(10_000);
    expect([a.leads(), b.leads()]).toEqual([true, false]);
  });
});
