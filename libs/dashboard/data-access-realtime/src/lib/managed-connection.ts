import {
  BehaviorSubject,
  EMPTY,
  NEVER,
  Observable,
  type SchedulerLike,
  Subject,
  catchError,
  combineLatest,
  defer,
  distinctUntilChanged,
  finalize,
  ignoreElements,
  merge,
  of,
  share,
  startWith,
  switchMap,
  tap,
} from 'rxjs';

import type { BackoffPolicy } from './backoff';
import type { ConnectionState } from './connection-state';
import { retryWithBackoff } from './retry-with-backoff';

export interface ManagedConnectionOptions<M> {
  /** One attempt: a cold Observable that errors when the connection is lost. */
  connect: () => Observable<M>;
  /** Whether `message` says the attempt is now connected. */
  isOpen: (message: M) => boolean;
  /** What the user reads about a failed attempt. */
  describe: (error: unknown) => string;
  online$: Observable<boolean>;
  /**
   * Whether `error` says the server refused the session. Such an error is not retried: the state
   * becomes `unauthorized` and `sessionRejected` (the auth store's one handler) decides.
   */
  isSessionRejected?: (error: unknown) => boolean;
  /** Renews the session (resolves true: connect again) or signs the user out (false). */
  sessionRejected?: () => Promise<boolean>;
  /** While false, no connection is held (state `idle`), e.g. the chat socket of a hidden page. */
  active$?: Observable<boolean>;
  policy: BackoffPolicy;
  scheduler: SchedulerLike;
  clock: () => number;
  random?: () => number;
}

export interface ManagedConnection<M> {
  /** Subscribing opens the one shared connection; the last unsubscribe closes it and cancels retries. */
  readonly messages$: Observable<M>;
  /** The connection state; watching it also keeps the connection open. */
  readonly state$: Observable<ConnectionState>;
  /** Starts again after giving up (resets the attempt count). */
  reconnect(): void;
}

/**
 * The life of every realtime connection of the dashboard (SSE streams and the chat socket):
 * attempts reconnected with the one backoff policy ({@link retryWithBackoff}), given up after
 * the policy's attempts until `reconnect()`, paused while the browser is offline or `active$`
 * is false, shared by every subscriber and closed with the last one, and its state for the view.
 */
export function managedConnection<M>(options: ManagedConnectionOptions<M>): ManagedConnection<M> {
  const { clock } = options;
  const state = new BehaviorSubject<ConnectionState>({ kind: 'idle' });
  const manual = new Subject<void>();

  const attempt$ = defer(() => {
    // Keep "reconnecting (attempt k)" on screen while the attempt is under way.
    if (state.value.kind !== 'reconnecting') state.next({ kind: 'connecting' });
    return options.connect();
  }).pipe(
    tap((m) => {
      if (options.isOpen(m)) state.next({ kind: 'connected', since: clock() });
    }),
    retryWithBackoff<M>({
      retryable: (error) => !options.isSessionRejected?.(error),
      policy: options.policy,
      scheduler: options.scheduler,
      random: options.random,
      onRetry: (r) =>
        state.next({
          kind: 'reconnecting',
          attempt: r.attempt,
          maxAttempts: r.maxAttempts,
          retryAt: clock() + r.delayMs,
          reason: options.describe(r.error),
        }),
    }),
    catchError((error: unknown) => {
      if (options.isSessionRejected?.(error)) {
        state.next({ kind: 'unauthorized' });
        void options.sessionRejected?.().then((renewed) => {
          if (renewed) manual.next();
        });
        return EMPTY;
      }
      state.next({ kind: 'disconnected', reason: options.describe(error) });
      return EMPTY;
    }),
  );

  const session$ = manual.pipe(
    startWith(undefined),
    switchMap(() => attempt$),
  );

  const shared$ = combineLatest([
    options.online$.pipe(distinctUntilChanged()),
    (options.active$ ?? of(true)).pipe(distinctUntilChanged()),
  ]).pipe(
    switchMap(([online, active]) => {
      if (!active) {
        state.next({ kind: 'idle' });
        return NEVER;
      }
      if (online) return session$;
      state.next({ kind: 'offline' });
      return NEVER;
    }),
    finalize(() => state.next({ kind: 'idle' })),
    share(),
  );

  return {
    messages$: shared$,
    state$: merge(shared$.pipe(ignoreElements()), state).pipe(distinctUntilChanged()),
    reconnect: () => manual.next(),
  };
}
