import { Injectable, InjectionToken, computed, signal } from '@angular/core';

/** Local epoch milliseconds; tests provide a fake. */
export const CLOCK_MS = new InjectionToken<() => number>('CLOCK_MS', {
  providedIn: 'root',
  factory: () => () => Date.now(),
});

export interface ClockSample {
  /** What the server's clock said, epoch ms (its best guess of the moment it answered). */
  serverTime: number;
  /** Local time the request left and the answer arrived. */
  sentAt: number;
  receivedAt: number;
  /** How much the server time itself may be off (the `Date` header has 1 s resolution). */
  resolutionMs: number;
}

/**
 * Estimates `server clock − local clock` from HTTP answers. The server read its clock at some
 * moment between sending and receiving, and a `Date` header rounds down to the second, so each
 * answer bounds the offset to an interval; intersecting the intervals of several answers
 * narrows it (a fresh server timestamp alone is as precise as the round trip). If the clocks
 * jump and the intervals stop overlapping, the newest answer starts over.
 */
@Injectable({ providedIn: 'root' })
export class ServerClock {
  private readonly bounds = signal<{ lo: number; hi: number } | null>(null);

  /** Server minus local, ms; 0 until measured. */
  readonly offsetMs = computed(() => {
    const b = this.bounds();
    return b ? (b.lo + b.hi) / 2 : 0;
  });
  /** Half the width of the interval the offset is known to lie in; null until measured. */
  readonly uncertaintyMs = computed(() => {
    const b = this.bounds();
    return b ? (b.hi - b.lo) / 2 : null;
  });

  add(sample: ClockSample): void {
    if (![sample.serverTime, sample.sentAt, sample.receivedAt].every(Number.isFinite)) return;
    const lo = sample.serverTime - Math.max(sample.sentAt, sample.receivedAt);
    const hi = sample.serverTime + sample.resolutionMs - Math.min(sample.sentAt, sample.receivedAt);
    const current = this.bounds();
    if (!current) return this.bounds.set({ lo, hi });
    const merged = { lo: Math.max(current.lo, lo), hi: Math.min(current.hi, hi) };
    this.bounds.set(merged.lo <= merged.hi ? merged : { lo, hi });
  }

  /** From an HTTP `Date` header: whole seconds, so the true time is up to 1 s later. */
  addDateHeader(date: string | null, sentAt: number, receivedAt: number): void {
    if (!date) return;
    const parsed = Date.parse(date);
    if (Number.isNaN(parsed)) return;
    this.add({ serverTime: parsed, sentAt, receivedAt, resolutionMs: 1000 });
  }
}
