import { InjectionToken, inject } from '@angular/core';
import { Observable, type SchedulerLike, type Subscription, of, timer } from 'rxjs';

import { REALTIME_SCHEDULER } from './realtime-config';

/** The little of a BroadcastChannel that tabs need to talk; tests hand in a fake. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

export type BroadcastChannelFactory = (name: string) => BroadcastChannelLike;

/** The browser's BroadcastChannel, or null where there is none (every tab then works alone). */
export const BROADCAST_CHANNEL_FACTORY = new InjectionToken<BroadcastChannelFactory | null>(
  'BROADCAST_CHANNEL_FACTORY',
  {
    providedIn: 'root',
    factory: () =>
      typeof BroadcastChannel === 'undefined' ? null : (name: string) => new BroadcastChannel(name),
  },
);

/** The little of `navigator.locks` (Web Locks API) that the election needs. */
export interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>;
}

/**
 * Joins the election `name` on subscribe: emits false, then true while this tab leads; leaves
 * (giving the lead away at once) on unsubscribe. At most one subscriber of a browser leads.
 */
export type TabElector = (name: string) => Observable<boolean>;

/**
 * Web Locks: the tab that holds the exclusive lock `name` leads; the others wait in the lock's
 * queue. The browser releases the lock itself when the tab closes, crashes or is discarded, and
 * grants it to the next tab in the same moment, so there is never a second leader and never a
 * wait on a timeout.
 */
export function webLocksElector(locks: LockManagerLike): TabElector {
  return (name) =>
    new Observable<boolean>((subscriber) => {
      subscriber.next(false);
      const abort = new AbortController();
      let release: (() => void) | undefined;
      locks
        .request(name, { signal: abort.signal }, () => {
          if (subscriber.closed) return Promise.resolve();
          subscriber.next(true);
          return new Promise<void>((resolve) => (release = resolve));
        })
        // Aborted while waiting (we left): nothing to do.
        .catch(() => undefined);
      return () => {
        abort.abort();
        release?.();
      };
    });
}

export interface BroadcastElectorOptions {
  /** How often the leader says it is alive. */
  heartbeatMs: number;
  /** Silence after which a follower stands: a crashed leader is replaced after this long. */
  timeoutMs: number;
  /** How long a newcomer listens for a leader before it stands. */
  joinMs: number;
  scheduler: SchedulerLike;
  /** A unique id per tab; the smallest of two leaders keeps the lead. */
  tabId: string;
  random?: () => number;
}

type ElectionMessage = { t: 'hello' } | { t: 'beat'; id: string } | { t: 'resign'; id: string };

/**
 * The fallback where `navigator.locks` is missing (insecure contexts, older browsers): the
 * leader beats every `heartbeatMs` on a BroadcastChannel; a follower that hears nothing for
 * `timeoutMs` (or hears the leader resign) stands after a short random delay; of two leaders
 * that hear each other, the one with the smaller tab id keeps the lead. A brief overlap is
 * possible here (the relay drops the duplicates it causes); a closing leader resigns, so only
 * a crash waits for the timeout.
 */
export function broadcastElector(
  factory: BroadcastChannelFactory,
  options: BroadcastElectorOptions,
): TabElector {
  const { scheduler, tabId } = options;
  const random = options.random ?? Math.random;
  return (name) =>
    new Observable<boolean>((subscriber) => {
      const channel = factory(`${name}.election`);
      let leading = false;
      let leaderId: string | null = null;
      let watchdog: Subscription | undefined;
      let beating: Subscription | undefined;
      const post = (m: ElectionMessage) => channel.postMessage(m);

      const stand = () => {
        if (leading) return;
        leading = true;
        leaderId = tabId;
        watchdog?.unsubscribe();
        post({ t: 'beat', id: tabId });
        beating = timer(options.heartbeatMs, options.heartbeatMs, scheduler).subscribe(() =>
          post({ t: 'beat', id: tabId }),
        );
        subscriber.next(true);
      };
      const standAfter = (ms: number) => {
        watchdog?.unsubscribe();
        watchdog = timer(ms, scheduler).subscribe(stand);
      };
      const stepDown = () => {
        leading = false;
        beating?.unsubscribe();
        subscriber.next(false);
      };

      channel.onmessage = (event: MessageEvent) => {
        const m = event.data as ElectionMessage;
        if (m?.t === 'hello') {
          if (leading) post({ t: 'beat', id: tabId });
        } else if (m?.t === 'beat' && m.id !== tabId) {
          if (leading) {
            if (m.id > tabId) return post({ t: 'beat', id: tabId });
            stepDown();
          }
          leaderId = m.id;
          standAfter(options.timeoutMs);
        } else if (m?.t === 'resign' && m.id === leaderId && !leading) {
          leaderId = null;
          standAfter(Math.floor(random() * options.joinMs));
        }
      };

      subscriber.next(false);
      post({ t: 'hello' });
      standAfter(options.joinMs);
      return () => {
        watchdog?.unsubscribe();
        beating?.unsubscribe();
        if (leading) post({ t: 'resign', id: tabId });
        channel.onmessage = null;
        channel.close();
      };
    });
}

/** Every tab leads itself: where tabs cannot talk to each other at all. */
export const aloneElector: TabElector = () => of(true);

/** A random id for this tab. */
export function newTabId(random: () => number = Math.random): string {
  return `${Date.now().toString(36)}-${Math.floor(random() * 2 ** 48).toString(36)}`;
}

export const TAB_ID = new InjectionToken<string>('TAB_ID', {
  providedIn: 'root',
  factory: () => newTabId(),
});

/** Web Locks where the browser has them, else the BroadcastChannel heartbeat, else alone. */
export const TAB_ELECTOR = new InjectionToken<TabElector>('TAB_ELECTOR', {
  providedIn: 'root',
  factory: () => {
    const locks =
      typeof navigator === 'undefined' ? undefined : (navigator as { locks?: LockManagerLike }).locks;
    if (locks) return webLocksElector(locks);
    const factory = inject(BROADCAST_CHANNEL_FACTORY);
    if (!factory) return aloneElector;
    return broadcastElector(factory, {
      heartbeatMs: 1000,
      timeoutMs: 3000,
      joinMs: 300,
      scheduler: inject(REALTIME_SCHEDULER),
      tabId: inject(TAB_ID),
    });
  },
});
