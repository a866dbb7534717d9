import type { CreateOrderRequest, Currency } from '@realtime/contracts';

/** Source of uniform numbers in [0, 1): injected so tests can script the traffic. */
export type Random = () => number;

const CURRENCY_MIX: Array<[Currency, number]> = [
  ['USD', 0.62],
  ['EUR', 0.18],
  ['GBP', 0.1],
  ['CAD', 0.04],
  ['AUD', 0.03],
  ['CHF', 0.02],
  ['JPY', 0.01],
];

/**
 * Orders per second at `now`: a slow wave over ten minutes (quiet to busy), times four
 * during a burst, so the dashboard's chart has something to show.
 */
export function demoRatePerSecond(now: number, inBurst: boolean): number {
  const wave = 0.5 + 0.3 * Math.sin((2 * Math.PI * now) / 600_000);
  return wave * (inBurst ? 4 : 1);
}

/** Waiting time until the next order of a Poisson process with `ratePerSecond`. */
export function nextDelayMs(ratePerSecond: number, random: Random): number {
  const u = Math.max(random(), 1e-9);
  return Math.min(30_000, Math.round((-Math.log(u) / ratePerSecond) * 1000));
}

/** A shopping basket: log-normal amounts around 35 (cents exact), mostly in USD. */
export function demoOrder(random: Random): CreateOrderRequest {
  // Box–Muller: a standard normal from two uniforms.
  const z = Math.sqrt(-2 * Math.log(Math.max(random(), 1e-9))) * Math.cos(2 * Math.PI * random());
  const amount = Math.min(5000, Math.max(1, Math.round(Math.exp(Math.log(35) + 0.9 * z) * 100) / 100));
  let pick = random();
  for (const [currency, share] of CURRENCY_MIX) {
    if (pick < share) return { amount, currency };
    pick -= share;
  }
  return { amount, currency: 'USD' };
}
