import type { Currency } from '@realtime/contracts';

/**
 * Indicative value of one unit of each currency in US dollars (late 2025). A fixed table
 * keeps revenue reproducible and the service free of an outside dependency; it is meant
 * for an operations overview, not for accounting.
 */
export const INDICATIVE_USD_RATES: Readonly<Record<Currency, number>> = {
  USD: 1,
  EUR: 1.16,
  GBP: 1.31,
  JPY: 0.0064,
  CHF: 1.24,
  CAD: 0.71,
  AUD: 0.65,
};

/** Converts an amount in minor units (cents, as stored) to major units of `to`. */
export function convertMinor(amountMinor: number, from: Currency, to: Currency): number {
  return ((amountMinor / 100) * INDICATIVE_USD_RATES[from]) / INDICATIVE_USD_RATES[to];
}
