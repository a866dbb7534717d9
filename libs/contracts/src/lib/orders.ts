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

/** `GET /api/orders?limit=`: the most recent orders, newest first. */
export interface OrderListResponse {
  items: Order[];
}

/**
 * The largest amount one order may carry (in its currency, two decimals): a typo or a script
 * cannot push the day's revenue by orders of magnitude in one call.
 */
export const ORDER_MAX_AMOUNT = 1_000_000;

export const ORDERS_LIST_DEFAULT_LIMIT = 20;
export const ORDERS_LIST_MAX_LIMIT = 100;

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set to `true` on a `POST /api/orders` answer that replays the order stored under the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
