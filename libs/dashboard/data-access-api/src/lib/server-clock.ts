import { Injectable, InjectionToken, computed, signal } from '@angular/core';

import { type ClockSample, estimateClockOffset } from './clock-offset';

export type { ClockSample } from './clock-offset';

/** Local epoch milliseconds; tests provide a fake. */
export const CLOCK_MS = new InjectionToken<() => number>('CLOCK_MS', {
  providedIn: 'root',
  factory: () => () => Date.now(),
});

/** Samples kept: enough for a tight one among them, few enough that a clock jump ages out soon. */
const KEPT_SAMPLES = 16;

/**
 * Estimates `server clock − local clock` from HTTP answers ({@link estimateClockOffset}: the
 * tightest round trip of the recent samples). `DashboardApi.syncClock()` takes several precise
 * samples on purpose; every other answer adds its `Date` header (whole seconds, a wide window).
 */
@Injectable({ providedIn: 'root' })
export class ServerClock {
  private readonly samples = signal<readonly ClockSample[]>([]);
  private readonly estimate = computed(() => estimateClockOffset(this.samples()));

  /** Server minus local, ms; 0 until measured. */
  readonly offsetMs = computed(() => this.estimate()?.offsetMs ?? 0);
  /** The offset is known to ± this; null until measured. */
  readonly uncertaintyMs = computed(() => this.estimate()?.uncertaintyMs ?? null);
  /** The round trip of the sample the estimate rests on, and how many samples there were. */
  readonly roundTripMs = computed(() => this.estimate()?.roundTripMs ?? null);
  readonly sampleCount = computed(() => this.estimate()?.samples ?? 0);

  add(sample: ClockSample): void {
    if (![sample.serverTime, sample.sentAt, sample.receivedAt].every(Number.isFinite)) return;
    this.samples.update((s) => [...s, sample].slice(-KEPT_SAMPLES));
  }

  /** From an HTTP `Date` header: whole seconds, so the true time is up to 1 s later. */
  addDateHeader(date: string | null, sentAt: number, receivedAt: number): void {
    if (!date) return;
    const parsed = Date.parse(date);
    if (Number.isNaN(parsed)) return;
    this.add({ serverTime: parsed, sentAt, receivedAt, resolutionMs: 1000 });
  }
}
