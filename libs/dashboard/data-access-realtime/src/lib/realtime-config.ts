import { InjectionToken } from '@angular/core';
import { type SchedulerLike, asyncScheduler } from 'rxjs';

import { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff';

export const BACKOFF_POLICY = new InjectionToken<BackoffPolicy>('BACKOFF_POLICY', {
  providedIn: 'root',
  factory: () => DEFAULT_BACKOFF,
});

/** The scheduler of every reconnect timer: a TestScheduler or fake timers in tests. */
export const REALTIME_SCHEDULER = new InjectionToken<SchedulerLike>('REALTIME_SCHEDULER', {
  providedIn: 'root',
  factory: () => asyncScheduler,
});

/** Epoch milliseconds. */
export const CLOCK = new InjectionToken<() => number>('CLOCK', {
  providedIn: 'root',
  factory: () => () => Date.now(),
});
