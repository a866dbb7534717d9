import type { Currency } from '@realtime/contracts';

/** Bus channel on which every stored order is announced, so each instance's counters see it. */
export const ORDERS_CREATED_CHANNEL = 'orders:created';

/** What the bus carries per created order: enough for the counters, nothing personal. */
export interface OrderCreatedMessage {
  id: number;
  amountMinor: number;
  currency: Currency;
  /** Epoch milliseconds. */
  createdAt: number;
}
