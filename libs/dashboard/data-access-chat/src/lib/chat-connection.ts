import { Observable, type SchedulerLike, distinctUntilChanged, map, of, share, switchMap, timer } from 'rxjs';

import type { ChatErrorEvent, ChatMessage, PresenceEvent, TypingEvent } from '@realtime/contracts';
import {
  type BackoffPolicy,
  type ConnectionState,
  managedConnection,
} from '@realtime/dashboard/data-access-realtime';

import type { ChatSocket, ChatSocketFactory } from './chat-socket';

/** What one connected socket emits: `open` after every (re)connection, then server events. */
export type ChatSocketEvent =
  | { kind: 'open'; socket: ChatSocket; resumed: boolean }
  | { kind: 'chat'; message: ChatMessage }
  | { kind: 'typing'; event: TypingEvent }
  | { kind: 'presence'; event: PresenceEvent }
  | { kind: 'error'; error: ChatErrorEvent };

/** How long a hidden page keeps its chat socket before it closes it. */
export const CHAT_HIDDEN_GRACE_MS = 30_000;

/** The socket could not connect or dropped; `reason` is what the user reads. */
export class ChatConnectionLostError extends Error {
  constructor(
    message: string,
    readonly unauthorized = false,
  ) {
    super(message);
    this.name = 'ChatConnectionLostError';
  }
}

export interface ChatConnectionOptions {
  factory: ChatSocketFactory;
  /** Read at every attempt, so that a reconnect uses the current token. */
  token: () => string | null;
  /** The auth store's one handler for a refused session (renew, or sign in again). */
  sessionRejected?: () => Promise<boolean>;
  online$: Observable<boolean>;
  /** Whether the page is visible ({@link PAGE_VISIBLE}); absent: always. */
  visible$?: Observable<boolean>;
  /** How long a hidden page keeps its socket (a quick look at another tab costs no reconnect). */
  hiddenGraceMs?: number;
  policy: BackoffPolicy;
  scheduler: SchedulerLike;
  clock: () => number;
  random?: () => number;
}

export interface ChatConnection {
  /** Subscribing opens the one shared socket; the last unsubscribe closes it and cancels retries. */
  readonly events$: Observable<ChatSocketEvent>;
  /** The connection state; watching it also keeps the connection open. */
  readonly state$: Observable<ConnectionState>;
  /** Starts again after giving up (resets the attempt count). */
  reconnect(): void;
}

/** A cold Observable of one socket: opens on subscribe, errors when it drops, closes on unsubscribe. */
export function fromChatSocket(
  factory: ChatSocketFactory,
  token: string | null,
): Observable<ChatSocketEvent> {
  return new Observable<ChatSocketEvent>((subscriber) => {
    const socket = factory(token);
    socket.on('connect', () => subscriber.next({ kind: 'open', socket, resumed: false }));
    socket.on('connect_error', (error) => {
      const data = error.data as { code?: unknown } | undefined;
      const unauthorized = data?.code === 'UNAUTHORIZED';
      subscriber.error(
        new ChatConnectionLostError(
          unauthorized ? `Chat refused the sign-in: ${error.message}` : "Can't reach the chat server.",
          unauthorized,
        ),
      );
    });
    socket.on('disconnect', (reason) =>
      subscriber.error(new ChatConnectionLostError(`The chat connection was lost (${reason}).`)),
    );
    socket.on('chat', (message) => subscriber.next({ kind: 'chat', message: message as ChatMessage }));
    socket.on('typing', (event) => subscriber.next({ kind: 'typing', event: event as TypingEvent }));
    socket.on('presence', (event) => subscriber.next({ kind: 'presence', event: event as PresenceEvent }));
    socket.on('error', (error) => subscriber.next({ kind: 'error', error }));
    socket.open();
    return () => socket.close();
  });
}

function describe(error: unknown): string {
  return error instanceof ChatConnectionLostError ? error.message : "Can't reach the chat server.";
}

/**
 * The chat socket behind a shared, cold Observable ({@link managedConnection}): reconnected by
 * the dashboard's one backoff policy (socket.io's own reconnection is off), paused while the
 * browser is offline and while the page has been hidden for `hiddenGraceMs` (so a browser holds
 * chat sockets only for chat pages that someone can see), and given up after the policy's
 * attempts until `reconnect()`.
 */
export function createChatConnection(options: ChatConnectionOptions): ChatConnection {
  let openedBefore = false;
  // A socket per browser tab that merely stays open would add up; hidden pages let theirs go.
  const grace = options.hiddenGraceMs ?? CHAT_HIDDEN_GRACE_MS;
  const active$ = options.visible$?.pipe(
    switchMap((visible) => (visible ? of(true) : timer(grace, options.scheduler).pipe(map(() => false)))),
    distinctUntilChanged(),
  );
  const connection = managedConnection<ChatSocketEvent>({
    connect: () => fromChatSocket(options.factory, options.token()),
    isOpen: (e) => e.kind === 'open',
    describe,
    isSessionRejected: (e) => e instanceof ChatConnectionLostError && e.unauthorized,
    sessionRejected: options.sessionRejected,
    online$: options.online$,
    active$,
    policy: options.policy,
    scheduler: options.scheduler,
    clock: options.clock,
    random: options.random,
  });

  const events$ = connection.messages$.pipe(
    map((e): ChatSocketEvent => {
      if (e.kind !== 'open') return e;
      const resumed = openedBefore;
      openedBefore = true;
      return { ...e, resumed };
    }),
    share(),
  );

  return { events$, state$: connection.state$, reconnect: () => connection.reconnect() };
}
