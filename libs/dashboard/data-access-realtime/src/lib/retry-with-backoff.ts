import {
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  asyncScheduler,
  retry,
  throwError,
  timer,
} from 'rxjs';

import { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay } from './backoff';

export interface RetryAttempt {
  /** 1-based. */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  error: unknown;
}

export interface RetryWithBackoffOptions {
  policy?: BackoffPolicy;
  scheduler?: SchedulerLike;
  random?: () => number;
  /** Called when a retry is scheduled, before the wait. */
  onRetry?: (retry: RetryAttempt) => void;
  /** False for an error that no retry can cure (the server refused the session): it is passed on. */
  retryable?: (error: unknown) => boolean;
}

/**
 * `retry` driven by {@link backoffDelay}: resubscribes after each error, waiting longer each
 * time, and errors for good after `maxAttempts`. The count starts again as soon as the source
 * emits (`resetOnSuccess`), so a connection should emit once it is open.
 */
export function retryWithBackoff<T>(options: RetryWithBackoffOptions = {}): MonoTypeOperatorFunction<T> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const scheduler = options.scheduler ?? asyncScheduler;
  return retry<T>({
    resetOnSuccess: true,
    delay: (error, attempt) => {
      if (options.retryable && !options.retryable(error)) return throwError(() => error);
      const delayMs = backoffDelay(attempt, policy, options.random);
      if (delayMs === null) return throwError(() => error);
      options.onRetry?.({ attempt, maxAttempts: policy.maxAttempts, delayMs, error });
      return timer(delayMs, scheduler);
    },
  });
}
