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
 * Estimates `server clock − local clock` from HTTP answers, as NTP does: the server read its
 * clock somewhere between sending and receiving, so the midpoint is the best guess, and the
 * sample with the smallest uncertainty wins.
 */
@Injectable({ providedIn: 'root' })
export class ServerClock {
  private readonly best = signal<{ offsetMs: number; uncertaintyMs: number } | null>(null);

  /** Server minus local, ms; 0 until measured. */
  readonly offsetMs = computed(() => this.best()?.offsetMs ?? 0);
  readonly uncertaintyMs = computed(() => this.best()?.uncertaintyMs ?? null);

  add(sample: ClockSample): void {
    const rtt = Math.max(0, sample.receivedAt - sample.sentAt);
    const uncertaintyMs = rtt / 2 + sample.resolutionMs / 2;
    const offsetMs = sample.serverTime - (sample.sentAt + sample.receivedAt) / 2;
    const current = this.best();
    if (!Number.isFinite(offsetMs)) return;
    if (!current || uncertaintyMs <= current.uncertaintyMs) this.best.set({ offsetMs, uncertaintyMs });
  }

  /** From an HTTP `Date` header: whole seconds, so the true time is up to 1 s later. */
  addDateHeader(date: string | null, sentAt: number, receivedAt: number): void {
    if (!date) return;
    const parsed = Date.parse(date);
    if (Number.isNaN(parsed)) return;
    this.add({ serverTime: parsed + 500, sentAt, receivedAt, resolutionMs: 1000 });
  }
}
