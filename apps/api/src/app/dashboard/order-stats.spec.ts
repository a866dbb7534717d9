import { INDICATIVE_USD_RATES } from './currency-rates';
import { OrderStats, startOfUtcDay } from './order-stats';
import { RollingCounter } from './rolling-counter';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('RollingCounter', () => {
  it('counts what happened in the last minute and forgets it after', () => {
    const c = new RollingCounter(60_000, 1000);
    c.add(T0);
    c.add(T0 + 500);
    c.add(T0 + 30_000, 3);
    expect(c.total(T0 + 30_000)).toBe(5);
    expect(c.total(T0 + 59_999)).toBe(5);
    expect(c.total(T0 + 60_000)).toBe(3);
    expect(c.total(T0 + 90_000)).toBe(0);
  });

  it('reuses slots after a long pause without counting the old ones', () => {
    const c = new RollingCounter(60_000, 1000);
    c.add(T0, 7);
    c.add(T0 + 3_600_000); // same slot, an hour later
    expect(c.total(T0 + 3_600_000)).toBe(1);
    c.add(T0 + 1000); // far outside the window now: ignored
    expect(c.total(T0 + 3_600_000)).toBe(1);
  });
});

describe('OrderStats', () => {
  it('sums today in minor units and converts on read', () => {
    const s = new OrderStats();
    s.record(T0, 1050, 'USD');
    s.record(T0 + 1, 1000, 'EUR');
    expect(s.ordersToday(T0 + 2)).toBe(2);
    expect(s.ordersPerMinute(T0 + 2)).toBe(2);
    expect(s.revenueToday(T0 + 2, 'USD')).toBeCloseTo(10.5 + 10 * INDICATIVE_USD_RATES.EUR, 2);
    const inEur = s.revenueToday(T0 + 2, 'EUR');
    expect(inEur).toBeCloseTo(10 + 10.5 / INDICATIVE_USD_RATES.EUR, 2);
  });

  it('starts from zero at midnight UTC and ignores late orders of yesterday', () => {
    const s = new OrderStats();
    const midnight = startOfUtcDay(T0) + 86_400_000;
    s.record(midnight - 1000, 500, 'USD');
    expect(s.revenueToday(midnight - 1, 'USD')).toBe(5);
    expect(s.revenueToday(midnight, 'USD')).toBe(0);
    expect(s.ordersToday(midnight)).toBe(0);
    s.record(midnight + 10, 200, 'USD');
    s.record(midnight - 5, 300, 'USD');
    expect(s.revenueToday(midnight + 20, 'USD')).toBe(2);
    expect(s.ordersToday(midnight + 20)).toBe(1);
    // ...but the last minute does include both sides of midnight
    expect(s.ordersPerMinute(midnight + 20)).toBe(3);
  });

  it('continues from totals loaded at start-up', () => {
    const s = new OrderStats();
    s.loadToday(T0, [
      { currency: 'USD', minor: 10_000, count: 4 },
      { currency: 'GBP', minor: 100, count: 1 },
    ]);
    s.loadRecent(T0 - 10_000, 2);
    s.record(T0, 100, 'USD');
    expect(s.ordersToday(T0)).toBe(6);
    expect(s.ordersPerMinute(T0)).toBe(3);
    expect(s.revenueToday(T0, 'USD')).toBeCloseTo(101 + INDICATIVE_USD_RATES.GBP, 2);
  });
});
