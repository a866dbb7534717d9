import type { Currency } from '@realtime/contracts';

import { convertMinor } from './currency-rates';
import { RollingCounter } from './rolling-counter';

const DAY_MS = 86_400_000;

export const utcDay = (at: number) => Math.floor(at / DAY_MS);
export const startOfUtcDay = (at: number) => utcDay(at) * DAY_MS;

/**
 * The order figures of the dashboard, kept in memory and updated per order: orders in the
 * last 60 s, and today's (UTC) count and sums per currency. The sums stay exact minor units;
 * conversion happens when read.
 */
export class OrderStats {
  private readonly lastMinute = new RollingCounter(60_000, 1000);
  private day = -1;
  private todayCount = 0;
  private todayMinor = new Map<Currency, number>();

  record(at: number, amountMinor: number, currency: Currency): void {
    this.lastMinute.add(at);
    const day = utcDay(at);
    if (day > this.day) this.startDay(day);
    if (day < this.day) return; // yesterday's order arriving late: not today's revenue
    this.todayCount += 1;
    this.todayMinor.set(currency, (this.todayMinor.get(currency) ?? 0) + amountMinor);
  }

  /** Seeds today's totals (e.g. from the database at start-up). */
  loadToday(at: number, totals: Array<{ currency: Currency; minor: number; count: number }>): void {
    this.startDay(utcDay(at));
    for (const t of totals) {
      this.todayCount += t.count;
      this.todayMinor.set(t.currency, (this.todayMinor.get(t.currency) ?? 0) + t.minor);
    }
  }

  /** Seeds the last minute (e.g. from the database at start-up): `count` orders at `at`. */
  loadRecent(at: number, count: number): void {
    this.lastMinute.add(at, count);
  }

  ordersPerMinute(now: number): number {
    return this.lastMinute.total(now);
  }

  ordersToday(now: number): number {
    return utcDay(now) === this.day ? this.todayCount : 0;
  }

  /** Today's revenue in `currency`, major units rounded to cents. */
  revenueToday(now: number, currency: Currency): number {
    if (utcDay(now) !== this.day) return 0;
    let total = 0;
    for (const [from, minor] of this.todayMinor) total += convertMinor(minor, from, currency);
    return Math.round(total * 100) / 100;
  }

  private startDay(day: number) {
    this.day = day;
    this.todayCount = 0;
    this.todayMinor = new Map();
  }
}
