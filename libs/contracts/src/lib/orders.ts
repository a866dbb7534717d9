export const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD'] as const;
export type Currency = (typeof CURRENCIES)[number];

export interface CreateOrderRequest {
  /** Major units, > 0, at most two decimals. */
  amount: number;
  currency: Currency;
}

export interface Order {
  id: number;
  userId: number;
  amount: number;
  currency: Currency;
  idempotencyKey: string | null;
  createdAt: string;
}

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
