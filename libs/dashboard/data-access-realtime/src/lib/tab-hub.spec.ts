import { BehaviorSubject, type Subscription, asyncScheduler } from 'rxjs';

import { DEFAULT_BACKOFF } from './backoff';
import type { ConnectionState } from './connection-state';
import { type TabElector, broadcastElector, webLocksElector } from './tab-election';
import { type SharedChannelSpec, type TabHub, createTabHub, positionIn } from './tab-hub';
import { FakeBroadcastWorld, FakeEventSource, FakeLocks, settle } from './testing/tab-fakes';

const DASHBOARD: SharedChannelSpec = {
  name: 'dashboard',
  url: '/api/dashboard/stream',
  events: ['metrics'],
  latest: ['metrics'],
};
const NOTIFICATIONS: SharedChannelSpec = {
  name: 'notifications',
  url: '/api/notifications/stream',
  events: ['notification', 'chat-unread'],
  ephemeral: ['chat-unread'],
};
const OPS: SharedChannelSpec = {
  name: 'ops',
  url: '/api/stream?channels=ops',
  events: ['instances'],
  latest: ['instances'],
  onDemand: true,
};

describe('createTabHub: one connection per browser, relayed to every tab', () => {
  let world: FakeBroadcastWorld;
  let elector: TabElector;
  let tabs: Tab[];
  let combined: { url: string; channels: SharedChannelSpec[] } | null;

  interface Tab {
    hub: TabHub;
    online: BehaviorSubject<boolean>;
    active: BehaviorSubject<boolean>;
    /** Per channel: `open`, or `event:id` in the order this tab saw them. */
    got: Record<string, string[]>;
    state: Record<string, ConnectionState>;
    subs: Record<string, Subscription[]>;
    leading: boolean;
    want(spec: SharedChannelSpec): void;
    unwant(name: string): void;
    close(): void;
  }

  function openTab(tabId: string, specs: SharedChannelSpec[] = [DASHBOARD, NOTIFICATIONS]): Tab {
    const online = new BehaviorSubject(true);
    const active = new BehaviorSubject(true);
    const hub = createTabHub({
      key: 'rt.streams.user-1',
      tabId,
      elector,
      channels: world.factory,
      combined,
      eventSources: FakeEventSource.factory,
      online$: online,
      active$: active,
      policy: DEFAULT_BACKOFF,
      scheduler: asyncScheduler,
      clock: () => Date.now(),
      random: () => 0.5,
    });
    const tab: Tab = {
      hub,
      online,
      active,
      got: {},
      state: {},
      subs: {},
      leading: false,
      want(spec) {
        const channel = hub.channel(spec);
        const got = (tab.got[spec.name] ??= []);
        tab.subs[spec.name] = [
          channel.state$.subscribe((s) => (tab.state[spec.name] = s)),
          channel.messages$.subscribe((m) => got.push(m.type === 'open' ? 'open' : `${m.event}:${m.id}`)),
        ];
      },
      unwant(name) {
        tab.subs[name]?.forEach((s) => s.unsubscribe());
        delete tab.subs[name];
      },
      close() {
        Object.keys(tab.subs).forEach((name) => tab.unwant(name));
      },
    };
    hub.leading$.subscribe((l) => (tab.leading = l));
    specs.forEach((s) => tab.want(s));
    tabs.push(tab);
    return tab;
  }

  /** Lets the tabs talk and the locks move until nothing more happens; no time passes. */
  async function sync() {
    for (let i = 0; i < 5; i++) {
      world.flush();
      await settle();
    }
  }

  const openSources = (url: string) => FakeEventSource.open.filter((s) => s.url.startsWith(url));
  const source = (url: string) => {
    const open = openSources(url);
    expect(open).toHaveLength(1);
    return open[0];
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    world = new FakeBroadcastWorld();
    elector = webLocksElector(new FakeLocks());
    FakeEventSource.all = [];
    tabs = [];
    combined = null;
  });
  afterEach(() => {
    tabs.forEach((t) => t.close());
    jest.useRealTimers();
  });

  it('ten tabs hold one EventSource per stream, and every tab gets every event once, in order', async () => {
    const all = Array.from({ length: 10 }, (_, i) => openTab(`tab-${i}`));
    await sync();
    expect(all.filter((t) => t.leading)).toEqual([all[0]]);
    expect(FakeEventSource.all).toHaveLength(2);
    for (const t of all) expect(t.state['dashboard']).toEqual({ kind: 'connecting' });

    source('/api/dashboard/stream').open();
    source('/api/notifications/stream').open();
    source('/api/dashboard/stream').emit('metrics', '100', { n: 1 });
    source('/api/notifications/stream').emit('notification', '7', { id: 1 });
    source('/api/dashboard/stream').emit('metrics', '101', { n: 2 });
    await sync();
    for (const t of all) {
      expect(t.got['dashboard']).toEqual(['open', 'metrics:100', 'metrics:101']);
      expect(t.got['notifications']).toEqual(['open', 'notification:7']);
      expect(t.state['dashboard']).toEqual({ kind: 'connected', since: 1_000_000 });
    }
  });

  it('when the leader closes, the next tab resumes from the last id: no gap and no duplicate in any tab', async () => {
    const [a, b, c] = [openTab('a'), openTab('b'), openTab('c')];
    await sync();
    const first = source('/api/notifications/stream');
    first.open();
    first.emit('notification', '1', {});
    first.emit('notification', '2', {});
    await sync();
    // Event 3 is relayed, but still on its way to the other tabs when the leader goes.
    first.emit('notification', '3', {});
    a.close();
    expect(first.closed).toBe(true);
    await settle();
    expect(b.leading).toBe(true);
    const second = source('/api/notifications/stream');
    expect(second.url).toBe('/api/notifications/stream?lastEventId=2');
    await sync();
    // The server replays from 2 on (3 again), then goes on.
    second.open();
    second.emit('notification', '3', {});
    second.emit('notification', '4', {});
    await sync();
    for (const t of [b, c]) {
      expect(t.got['notifications']).toEqual([
        'open',
        ...[1, 2, 3].map((i) => `notification:${i}`),
        'open',
        'notification:4',
      ]);
      expect(t.state['notifications']).toMatchObject({ kind: 'connected' });
    }
    expect(openSources('/api/dashboard/stream')).toHaveLength(1);
  });

  it('relays every ephemeral event (its id repeats the last stored one) and never resumes from it', async () => {
    const [a, b] = [openTab('a'), openTab('b')];
    await sync();
    const first = source('/api/notifications/stream');
    first.open();
    first.emit('notification', '5', {});
    first.emit('chat-unread', '5', { rooms: { ops: 1 } });
    first.emit('chat-unread', '5', { rooms: { ops: 1 } });
    await sync();
    expect(b.got['notifications']).toEqual(['open', 'notification:5', 'chat-unread:5', 'chat-unread:5']);
    a.close();
    await settle();
    expect(source('/api/notifications/stream').url).toBe('/api/notifications/stream?lastEventId=5');
  });

  it('a frozen leader gives the lead away at once and follows again when it resumes', async () => {
    const [a, b] = [openTab('a'), openTab('b')];
    await sync();
    source('/api/dashboard/stream').open();
    source('/api/dashboard/stream').emit('metrics', '10', {});
    await sync();
    a.active.next(false);
    await sync();
    expect(b.leading).toBe(true);
    const next = source('/api/dashboard/stream');
    expect(next.url).toBe('/api/dashboard/stream?lastEventId=10');
    next.open();
    next.emit('metrics', '11', {});
    a.active.next(true);
    await sync();
    expect(a.leading).toBe(false);
    expect(FakeEventSource.open).toHaveLength(2);
    next.emit('metrics', '12', {});
    await sync();
    expect(b.got['dashboard']).toEqual(['open', 'metrics:10', 'open', 'metrics:11', 'metrics:12']);
    expect(a.got['dashboard']).toContain('metrics:12');
  });

  it('a tab that joins an open stream is live at once with the newest metrics', async () => {
    openTab('a');
    await sync();
    const s = source('/api/dashboard/stream');
    s.open();
    s.emit('metrics', '20', { n: 1 });
    s.emit('metrics', '21', { n: 2 });
    await sync();
    const late = openTab('late');
    await sync();
    expect(late.state['dashboard']).toMatchObject({ kind: 'connected' });
    expect(late.got['dashboard']).toEqual(['open', 'metrics:21']);
    expect(FakeEventSource.all).toHaveLength(2);
  });

  it('every tab shows the leader’s reconnecting and given-up states, its own offline, and any tab can reconnect', async () => {
    const [, b] = [openTab('a'), openTab('b')];
    await sync();
    source('/api/dashboard/stream').fail();
    await sync();
    expect(b.state['dashboard']).toMatchObject({ kind: 'reconnecting', attempt: 1, maxAttempts: 5 });
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(DEFAULT_BACKOFF.maxMs);
      source('/api/dashboard/stream').fail();
    }
    await sync();
    expect(b.state['dashboard']).toEqual({ kind: 'disconnected', reason: 'The live connection was lost.' });
    expect(openSources('/api/dashboard/stream')).toHaveLength(0);

    b.hub.channel(DASHBOARD).reconnect();
    await sync();
    source('/api/dashboard/stream').open();
    await sync();
    expect(b.state['dashboard']).toMatchObject({ kind: 'connected' });

    b.online.next(false);
    expect(b.state['dashboard']).toEqual({ kind: 'offline' });
    b.online.next(true);
    expect(b.state['dashboard']).toMatchObject({ kind: 'connected' });
  });

  it('the leader holds a stream while any tab wants it, and closes it when none does', async () => {
    const a = openTab('a', [NOTIFICATIONS]);
    const b = openTab('b', [NOTIFICATIONS, DASHBOARD]);
    await sync();
    expect(a.leading).toBe(true);
    source('/api/dashboard/stream').open();
    source('/api/dashboard/stream').emit('metrics', '1', {});
    await sync();
    expect(b.got['dashboard']).toEqual(['open', 'metrics:1']);
    b.unwant('dashboard');
    await sync();
    expect(openSources('/api/dashboard/stream')).toHaveLength(0);
    expect(openSources('/api/notifications/stream')).toHaveLength(1);
    // b closes without a word (a crash): a keeps serving itself.
    b.close();
    await sync();
    expect(openSources('/api/notifications/stream')).toHaveLength(1);
  });

  it('with the BroadcastChannel election too, a closing leader is replaced and nothing is repeated', async () => {
    // One elector per tab: each has its own id.
    const tabElector = (id: string): TabElector =>
      broadcastElector(world.factory, {
        heartbeatMs: 1000,
        timeoutMs: 3000,
        joinMs: 300,
        scheduler: asyncScheduler,
        tabId: id,
        random: () => 0,
      });
    elector = tabElector('a');
    const a = openTab('a', [NOTIFICATIONS]);
    jest.advanceTimersByTime(300);
    await sync();
    elector = tabElector('b');
    const b = openTab('b', [NOTIFICATIONS]);
    jest.advanceTimersByTime(1000);
    await sync();
    expect([a.leading, b.leading]).toEqual([true, false]);
    source('/api/notifications/stream').open();
    source('/api/notifications/stream').emit('notification', '5', {});
    await sync();
    a.close();
    await sync();
    jest.advanceTimersByTime(0);
    await sync();
    expect(b.leading).toBe(true);
    const next = source('/api/notifications/stream');
    expect(next.url).toBe('/api/notifications/stream?lastEventId=5');
    next.open();
    next.emit('notification', '5', {});
    next.emit('notification', '6', {});
    await sync();
    expect(b.got['notifications']).toEqual(['open', 'notification:5', 'open', 'notification:6']);
  });

  it('a tab that finds another leader steps down and shows the other’s live stream', async () => {
    const tabElector = (id: string): TabElector =>
      broadcastElector(world.factory, {
        heartbeatMs: 1000,
        timeoutMs: 3000,
        joinMs: 300,
        scheduler: asyncScheduler,
        tabId: id,
        random: () => 0,
      });
    // Both start without hearing each other (their first words are lost): two leaders.
    const send = jest.spyOn(world, 'send').mockImplementation(() => undefined);
    elector = tabElector('a');
    const a = openTab('a', [NOTIFICATIONS]);
    elector = tabElector('b');
    const b = openTab('b', [NOTIFICATIONS]);
    jest.advanceTimersByTime(300);
    await sync();
    expect([a.leading, b.leading]).toEqual([true, true]);
    const [fromA, fromB] = openSources('/api/notifications/stream');
    fromA.open();
    fromB.open();
    fromA.emit('notification', '1', {});
    fromB.emit('notification', '1', {});
    send.mockRestore();
    jest.advanceTimersByTime(1000);
    await sync();
    expect([a.leading, b.leading]).toEqual([true, false]);
    expect(fromB.closed).toBe(true);
    expect(b.state['notifications']).toMatchObject({ kind: 'connected' });
    fromA.emit('notification', '2', {});
    await sync();
    expect(b.got['notifications']).toEqual(['open', 'notification:1', 'open', 'notification:2']);
    expect(a.got['notifications']).toEqual(['open', 'notification:1', 'notification:2']);
  });

  describe('over the combined stream', () => {
    const STREAM = '/api/stream';
    beforeEach(() => (combined = { url: STREAM, channels: [DASHBOARD, NOTIFICATIONS] }));

    it('carries an on-demand channel only while some tab wants it, on the same one EventSource', async () => {
      combined = { url: STREAM, channels: [DASHBOARD, NOTIFICATIONS, OPS] };
      const a = openTab('a');
      await sync();
      const plain = source(STREAM);
      expect(plain.url).toBe('/api/stream?channels=dashboard,notifications');
      plain.open();
      plain.emit('metrics', 'dashboard:100', {});
      await sync();

      // An operations page opens in another tab: the leader's one stream takes ops on, resuming the rest.
      const b = openTab('b', [OPS]);
      await sync();
      const withOps = source(STREAM);
      expect(decodeURIComponent(withOps.url)).toBe(
        '/api/stream?channels=dashboard,notifications,ops&lastEventId=dashboard:100',
      );
      withOps.open();
      withOps.emit('instances', 'dashboard:100,ops:7', {});
      withOps.emit('metrics', 'dashboard:101,ops:7', {});
      await sync();
      expect(b.got['ops']).toEqual(['open', 'instances:7']);
      expect(a.got['dashboard']).toEqual(['open', 'metrics:100', 'open', 'metrics:101']);
      expect(a.got['ops']).toBeUndefined();

      // The page closes: the stream drops ops again.
      b.unwant('ops');
      await sync();
      expect(source(STREAM).url).toMatch(/^\/api\/stream\?channels=dashboard,notifications&/);
    });

    it('holds one EventSource for every channel, relays each channel with its own id, and resumes them all', async () => {
      const [a, b, c] = [openTab('a'), openTab('b'), openTab('c')];
      await sync();
      expect(FakeEventSource.all).toHaveLength(1);
      const first = source(STREAM);
      expect(first.url).toBe('/api/stream?channels=dashboard,notifications');
      first.open();
      first.emit('metrics', 'dashboard:100', {});
      first.emit('notification', 'dashboard:100,notifications:7', {});
      first.emit('metrics', 'dashboard:101,notifications:7', {});
      await sync();
      for (const t of [a, b, c]) {
        expect(t.got['dashboard']).toEqual(['open', 'metrics:100', 'metrics:101']);
        expect(t.got['notifications']).toEqual(['open', 'notification:7']);
        expect(t.state['notifications']).toMatchObject({ kind: 'connected' });
      }

      a.close();
      await sync();
      const second = source(STREAM);
      expect(decodeURIComponent(second.url)).toBe(
        '/api/stream?channels=dashboard,notifications&lastEventId=dashboard:101,notifications:7',
      );
      second.open();
      second.emit('notification', 'dashboard:101,notifications:7', {});
      second.emit('notification', 'dashboard:101,notifications:8', {});
      await sync();
      for (const t of [b, c])
        expect(t.got['notifications']).toEqual(['open', 'notification:7', 'open', 'notification:8']);
    });

    it('holds the one stream for every channel while any tab wants one, and opens nothing more for a new page', async () => {
      openTab('a', [NOTIFICATIONS]);
      await sync();
      const stream = source(STREAM);
      expect(stream.url).toBe('/api/stream?channels=dashboard,notifications');
      stream.open();
      stream.emit('metrics', 'dashboard:50', {});
      stream.emit('notification', 'dashboard:50,notifications:3', {});
      await sync();
      const b = openTab('b', [DASHBOARD]);
      await sync();
      expect(FakeEventSource.all).toHaveLength(1);
      expect(b.got['dashboard']).toEqual(['open', 'metrics:50']);
      stream.emit('metrics', 'dashboard:51,notifications:3', {});
      await sync();
      expect(b.got['dashboard']).toEqual(['open', 'metrics:50', 'metrics:51']);
      tabs[0].close();
      await sync();
      // b leads now and resumes both channels, the one it never showed too.
      expect(decodeURIComponent(source(STREAM).url)).toBe(
        '/api/stream?channels=dashboard,notifications&lastEventId=dashboard:51,notifications:3',
      );
    });
  });
});

describe('positionIn', () => {
  it("reads a channel's part of a combined id, and takes a plain id as it is", () => {
    expect(positionIn('dashboard:1764500000000,notifications:42', 'notifications')).toBe('42');
    expect(positionIn('dashboard:1764500000000,notifications:42', 'dashboard')).toBe('1764500000000');
    expect(positionIn('dashboard:5', 'notifications')).toBe('');
    expect(positionIn('42', 'notifications')).toBe('42');
  });
});
