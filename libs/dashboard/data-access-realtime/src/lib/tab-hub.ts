import {
  BehaviorSubject,
  Observable,
  type SchedulerLike,
  Subject,
  type Subscription,
  combineLatest,
  distinctUntilChanged,
  ignoreElements,
  map,
  merge,
  of,
  share,
  switchMap,
  tap,
} from 'rxjs';

import type { BackoffPolicy } from './backoff';
import type { ConnectionState } from './connection-state';
import {
  type EventSourceFactory,
  type SessionCheck,
  SessionRejectedError,
  type SseMessage,
  fromEventSource,
} from './event-source';
import { managedConnection } from './managed-connection';
import { RecentIds } from './recent-ids';
import { describeStreamError, withLastEventId } from './sse-connection';
import {
  type BroadcastChannelFactory,
  type BroadcastChannelLike,
  type TabElector,
  aloneElector,
} from './tab-election';

/** One server stream that the tabs of a browser share. Plain data: it travels between tabs. */
export interface SharedChannelSpec {
  /** Unique among the streams, e.g. `dashboard`. */
  name: string;
  url: string;
  events: readonly string[];
  /** Events whose newest one a tab gets at once when it joins an open stream (e.g. `metrics`). */
  latest?: readonly string[];
  /**
   * A channel of the combined stream that it carries only while a tab wants it (`ops`, for
   * admins): opening or leaving its page reconnects the one EventSource, every other channel
   * resuming from its position.
   */
  onDemand?: boolean;
  /**
   * Events the server does not store (e.g. `chat-unread`, sent without an `id:` line): an
   * EventSource gives them the last stored event's id as `lastEventId`, so they are neither
   * dropped as repeats nor taken as a resume point.
   */
  ephemeral?: readonly string[];
}

/** One stream as a tab sees it: the same shape as a connection of its own. */
export interface SharedChannel {
  /** Subscribing makes this tab want the stream; the last unsubscribe lets it go. */
  readonly messages$: Observable<SseMessage>;
  /** The stream's state as this tab knows it; watching it also keeps the stream wanted. */
  readonly state$: Observable<ConnectionState>;
  /** Starts again after giving up, in whichever tab holds the connection. */
  reconnect(): void;
}

export interface TabHubOptions {
  /** Names the election and the BroadcastChannel: one per signed-in user. */
  key: string;
  tabId: string;
  elector: TabElector;
  /** null: no BroadcastChannel, so this tab works alone. */
  channels: BroadcastChannelFactory | null;
  /**
   * The API's stream of several channels (`/api/stream`) and the channels it carries: while any
   * tab wants one of them, the leader holds one EventSource (`?channels=a,b`) for all of them,
   * so that opening a page never opens another. Absent: one EventSource per stream.
   */
  combined?: { url: string; channels: readonly SharedChannelSpec[] } | null;
  eventSources: EventSourceFactory;
  /** Asked when the server refuses a stream: is it the session? ({@link SESSION_CHECK}) */
  checkSession?: SessionCheck;
  online$: Observable<boolean>;
  /** False while the page is frozen or hidden away ({@link PAGE_ACTIVE}). */
  active$: Observable<boolean>;
  policy: BackoffPolicy;
  scheduler: SchedulerLike;
  clock: () => number;
  random?: () => number;
}

export interface TabHub {
  channel(spec: SharedChannelSpec): SharedChannel;
  /** Whether this tab holds the browser's connections now. */
  readonly leading$: Observable<boolean>;
}

/** What tabs tell each other on the BroadcastChannel `key`. */
export type TabHubMessage =
  /** A tab wants a stream (sent on subscribe, and again to every new leader). */
  | { t: 'want'; from: string; spec: SharedChannelSpec; lastEventId: string | null }
  | { t: 'unwant'; from: string; ch: string }
  /** A tab leaves (unsubscribed from everything, closing, frozen). */
  | { t: 'bye'; from: string }
  /** A tab has just taken the lead: the others tell it what they want. */
  | { t: 'leader'; from: string }
  /** The leader relays one message of a stream. */
  | { t: 'msg'; ch: string; m: SseMessage }
  | { t: 'state'; ch: string; state: ConnectionState }
  /** The leader's answer to a `want`: where the stream stands, and its newest `latest` events. */
  | {
      t: 'welcome';
      to: string;
      ch: string;
      state: ConnectionState;
      open: boolean;
      latest: SseMessage[];
      /** Where every stream of the leader stands, so that the newcomer could resume them all. */
      positions: Record<string, string | null>;
    }
  /** A follower's Reconnect button. */
  | { t: 'reconnect'; ch: string };

interface Channel {
  spec: SharedChannelSpec;
  /** Subscriptions of this tab (0 or 1: the public Observables are shared). */
  subscribers: number;
  /** Other tabs that want it. */
  wantedBy: Set<string>;
  seen: RecentIds;
  lastEventId: string | null;
  latest: Map<string, SseMessage>;
  state: BehaviorSubject<ConnectionState>;
  /** An `open` has been delivered since the stream last went down. */
  open: boolean;
  messages: Subject<SseMessage>;
  view?: SharedChannel;
}

/** One EventSource held by the leader, for one channel or (combined) several. */
interface Link {
  channels: Channel[];
  subscription: Subscription;
  reconnect(): void;
}

/**
 * The id of `name` in an event id of a combined stream (`dashboard:1764500000000,notifications:42`,
 * see the API's README); a plain id is the channel's own.
 */
export function positionIn(id: string, name: string): string {
  if (!id.includes(':')) return id;
  for (const part of id.split(',')) {
    const colon = part.lastIndexOf(':');
    if (colon > 0 && part.slice(0, colon).trim() === name) return part.slice(colon + 1).trim();
  }
  return '';
}

/**
 * The streams of one signed-in user, shared by every tab of the browser: one tab (the leader,
 * elected by {@link TabElector}) holds the EventSources and relays every message over a
 * BroadcastChannel; the others listen. When the leader closes, freezes or leaves, the next one
 * opens the streams again from the last event id that all tabs saw (`?lastEventId=`), and every
 * tab drops ids it has already seen, so no tab misses or repeats an event. Each tab reports
 * the stream's state (live, reconnecting k of n, given up, offline) as the leader relays it.
 */
export function createTabHub(options: TabHubOptions): TabHub {
  const { tabId } = options;
  const channels = new Map<string, Channel>();
  const leading$ = new BehaviorSubject(false);
  let bus: BroadcastChannelLike | null = null;
  let session: Subscription | null = null;
  let attached = 0;
  /** In the election: subscribed to something, and the page neither frozen nor hidden away. */
  let present = false;
  let links: Link[] = [];
  const linkOf = (name: string) => links.find((l) => l.channels.some((c) => c.spec.name === name));

  const post = (m: TabHubMessage) => bus?.postMessage(m);
  const leading = () => leading$.value;
  const wanted = (ch: Channel) => ch.subscribers > 0 || ch.wantedBy.size > 0;

  function record(spec: SharedChannelSpec, lastEventId: string | null = null): Channel {
    let ch = channels.get(spec.name);
    if (!ch) {
      ch = {
        spec,
        subscribers: 0,
        wantedBy: new Set(),
        seen: new RecentIds(),
        lastEventId: null,
        latest: new Map(),
        state: new BehaviorSubject<ConnectionState>({ kind: 'idle' }),
        open: false,
        messages: new Subject(),
      };
      channels.set(spec.name, ch);
    }
    // A tab that joined late learns where the stream stands from the others.
    if (!ch.lastEventId && lastEventId) ch.lastEventId = lastEventId;
    return ch;
  }

  function setState(ch: Channel, state: ConnectionState): void {
    if (state.kind !== 'connected') ch.open = false;
    ch.state.next(state);
  }

  /** Every message of a stream goes through here, from our own EventSource or the leader's. */
  function accept(ch: Channel, m: SseMessage): void {
    if (m.type === 'open') {
      if (ch.open) return;
      ch.open = true;
    } else if (m.id && !(m.type === 'event' && ch.spec.ephemeral?.includes(m.event))) {
      if (!ch.seen.add(m.id)) return;
      ch.lastEventId = m.id;
    }
    if (m.type === 'event' && ch.spec.latest?.includes(m.event)) ch.latest.set(m.event, m);
    ch.messages.next(m);
  }

  /** One EventSource for `list`: its own endpoint, or the combined one for several channels. */
  function openLink(list: Channel[], combined?: string): Link {
    const url = combined
      ? `${combined}${combined.includes('?') ? '&' : '?'}channels=${list.map((c) => c.spec.name).join(',')}`
      : list[0].spec.url;
    const lastEventId = () =>
      combined
        ? list
            .filter((c) => c.lastEventId)
            .map((c) => `${c.spec.name}:${c.lastEventId}`)
            .join(',') || null
        : list[0].lastEventId;
    const events = [...new Set(list.flatMap((c) => c.spec.events))];
    const connection = managedConnection<SseMessage>({
      connect: () =>
        fromEventSource(
          withLastEventId(url, lastEventId()),
          events,
          options.eventSources,
          options.clock,
          options.checkSession,
        ),
      isOpen: (m) => m.type === 'open',
      describe: describeStreamError,
      // The check reported the refusal to this tab's auth store; the stream only stops retrying.
      isSessionRejected: (e) => e instanceof SessionRejectedError,
      online$: options.online$,
      policy: options.policy,
      scheduler: options.scheduler,
      clock: options.clock,
      random: options.random,
    });
    const relay = (ch: Channel, m: SseMessage) => {
      post({ t: 'msg', ch: ch.spec.name, m });
      accept(ch, m);
    };
    const subscription = merge(
      connection.state$.pipe(
        tap((state) => {
          // `idle` is this tab letting go; the next leader reports its own state.
          if (state.kind === 'idle') return;
          for (const ch of list) {
            setState(ch, state);
            post({ t: 'state', ch: ch.spec.name, state });
          }
        }),
      ),
      connection.messages$.pipe(
        tap((m) => {
          if (m.type === 'open') return list.forEach((ch) => relay(ch, m));
          const ch = list.find((c) => c.spec.events.includes(m.event));
          // Each channel keeps its own position: the part of a combined id that names it.
          if (ch) relay(ch, combined ? { ...m, id: positionIn(m.id, ch.spec.name) } : m);
        }),
      ),
    ).subscribe();
    return { channels: list, subscription, reconnect: () => connection.reconnect() };
  }

  function closeLink(link: Link): void {
    link.subscription.unsubscribe();
    links = links.filter((l) => l !== link);
    for (const ch of link.channels) ch.open = false;
  }

  /**
   * While leading: one EventSource for the combined channels if a tab wants any (an on-demand
   * one only while wanted), one per other stream wanted.
   */
  function reconcile(): void {
    if (!leading()) return;
    const together = (options.combined?.channels ?? [])
      .map((spec) => record(spec))
      .filter((ch) => !ch.spec.onDemand || wanted(ch));
    const needed: Channel[][] = together.some(wanted) ? [together] : [];
    for (const ch of channels.values()) if (!together.includes(ch) && wanted(ch)) needed.push([ch]);
    const same = (a: Channel[], b: Channel[]) => a.length === b.length && a.every((c) => b.includes(c));
    for (const link of [...links]) if (!needed.some((n) => same(n, link.channels))) closeLink(link);
    for (const list of needed)
      if (!links.some((l) => same(l.channels, list)))
        links.push(openLink(list, list === together ? options.combined?.url : undefined));
  }

  function welcome(ch: Channel, to: string): void {
    post({
      t: 'welcome',
      to,
      ch: ch.spec.name,
      state: ch.state.value,
      open: ch.open,
      latest: [...ch.latest.values()],
      positions: Object.fromEntries([...channels.values()].map((c) => [c.spec.name, c.lastEventId])),
    });
  }

  function want(ch: Channel): void {
    post({ t: 'want', from: tabId, spec: ch.spec, lastEventId: ch.lastEventId });
  }

  function lead(): void {
    if (leading()) return;
    leading$.next(true);
    post({ t: 'leader', from: tabId });
    reconcile();
  }

  function follow(): void {
    if (!leading()) return;
    leading$.next(false);
    links.forEach(closeLink);
    if (!present) return;
    // Stepped down while staying (two leaders for a moment): the other tells us where things stand.
    for (const ch of channels.values()) {
      if (ch.subscribers === 0) continue;
      setState(ch, { kind: 'connecting' });
      want(ch);
    }
  }

  function onMessage(m: TabHubMessage): void {
    switch (m.t) {
      case 'want': {
        const ch = record(m.spec, m.lastEventId);
        ch.wantedBy.add(m.from);
        if (leading()) {
          reconcile();
          welcome(ch, m.from);
        }
        return;
      }
      case 'unwant':
      case 'bye':
        for (const ch of channels.values()) {
          if (m.t === 'unwant' && ch.spec.name !== m.ch) continue;
          ch.wantedBy.delete(m.from);
        }
        reconcile();
        return;
      case 'leader':
        if (leading()) return;
        for (const ch of channels.values()) {
          ch.wantedBy.clear();
          if (ch.subscribers === 0) continue;
          setState(ch, { kind: 'connecting' });
          want(ch);
        }
        return;
      case 'msg': {
        const ch = channels.get(m.ch);
        // Two leaders for a moment (BroadcastChannel fallback): keep our own `open`.
        if (ch && !(leading() && m.m.type === 'open')) accept(ch, m.m);
        return;
      }
      case 'state': {
        const ch = channels.get(m.ch);
        if (!ch || leading()) return;
        // The leader's stream was refused for the session: this tab's auth store hears it too.
        if (m.state.kind === 'unauthorized' && ch.state.value.kind !== 'unauthorized')
          void options.checkSession?.();
        setState(ch, m.state);
        return;
      }
      case 'welcome': {
        const ch = channels.get(m.ch);
        if (!ch || m.to !== tabId || leading()) return;
        for (const [name, id] of Object.entries(m.positions)) {
          const other = channels.get(name);
          if (other && !other.lastEventId && id) other.lastEventId = id;
        }
        setState(ch, m.state);
        if (m.open) accept(ch, { type: 'open' });
        for (const e of m.latest) accept(ch, e);
        return;
      }
      case 'reconnect':
        if (leading()) linkOf(m.ch)?.reconnect();
        return;
    }
  }

  function start(): void {
    bus = options.channels?.(options.key) ?? null;
    if (bus) bus.onmessage = (e: MessageEvent) => onMessage(e.data as TabHubMessage);
    const elector = bus ? options.elector : aloneElector;
    session = options.active$
      .pipe(
        distinctUntilChanged(),
        switchMap((active) => {
          present = active;
          if (!active) {
            post({ t: 'bye', from: tabId });
            return of(false);
          }
          for (const ch of channels.values()) if (ch.subscribers > 0) want(ch);
          return elector(options.key);
        }),
      )
      .subscribe((lead_) => (lead_ ? lead() : follow()));
  }

  function stop(): void {
    present = false;
    session?.unsubscribe();
    session = null;
    follow();
    post({ t: 'bye', from: tabId });
    if (bus) {
      bus.onmessage = null;
      bus.close();
      bus = null;
    }
    for (const ch of channels.values()) {
      ch.wantedBy.clear();
      setState(ch, { kind: 'idle' });
    }
  }

  function attach(ch: Channel): void {
    ch.subscribers++;
    if (ch.state.value.kind === 'idle') setState(ch, { kind: 'connecting' });
    if (attached++ === 0) return start();
    want(ch);
    reconcile();
  }

  function detach(ch: Channel): void {
    ch.subscribers--;
    post({ t: 'unwant', from: tabId, ch: ch.spec.name });
    reconcile();
    if (--attached === 0) stop();
  }

  // Every tab follows the combined channels, wanted or not, to resume them if it comes to lead.
  options.combined?.channels.forEach((spec) => record(spec));

  return {
    leading$: leading$.pipe(distinctUntilChanged()),
    channel(spec) {
      const ch = record(spec);
      if (ch.view) return ch.view;
      const shared$ = new Observable<SseMessage>((subscriber) => {
        const messages = ch.messages.subscribe(subscriber);
        attach(ch);
        return () => {
          messages.unsubscribe();
          detach(ch);
        };
      }).pipe(share());
      const state$ = combineLatest([options.online$, ch.state]).pipe(
        map(([online, state]): ConnectionState => (online ? state : { kind: 'offline' })),
      );
      ch.view = {
        messages$: shared$,
        state$: merge(shared$.pipe(ignoreElements()), state$).pipe(distinctUntilChanged()),
        reconnect: () => {
          if (leading()) linkOf(spec.name)?.reconnect();
          else post({ t: 'reconnect', ch: spec.name });
        },
      };
      return ch.view;
    },
  };
}
