import {
  ChatSendRequestSchema,
  CreateNotificationRequestSchema,
  CreateOrderRequestSchema,
  IdempotencyKeySchema,
  describeIssues,
} from './schemas';

describe('contract schemas', () => {
  it('accepts a valid order and names each bad field of an invalid one', () => {
    expect(CreateOrderRequestSchema.safeParse({ amount: 12.5, currency: 'USD' }).success).toBe(true);
    const bad = CreateOrderRequestSchema.safeParse({ amount: -1, currency: 'XXX', extra: 1 });
    expect(bad.success).toBe(false);
    const text = describeIssues(bad.error!);
    expect(text).toMatch(/amount/);
    expect(text).toMatch(/currency/);
    expect(text).toMatch(/extra/);
  });

  it('refuses amounts with more than two decimals and non-numbers', () => {
    expect(CreateOrderRequestSchema.safeParse({ amount: 1.234, currency: 'USD' }).success).toBe(false);
    expect(CreateOrderRequestSchema.safeParse({ amount: '10', currency: 'USD' }).success).toBe(false);
    expect(CreateOrderRequestSchema.safeParse({ amount: 0.1 + 0.2, currency: 'USD' }).success).toBe(true);
  });

  it('limits notification title and message lengths', () => {
    const ok = { userId: 2, title: 't', message: 'm' };
    expect(CreateNotificationRequestSchema.safeParse(ok).success).toBe(true);
    expect(CreateNotificationRequestSchema.safeParse({ ...ok, title: 'x'.repeat(201) }).success).toBe(false);
    expect(CreateNotificationRequestSchema.safeParse({ ...ok, message: 'x'.repeat(2001) }).success).toBe(
      false,
    );
    expect(CreateNotificationRequestSchema.safeParse({ ...ok, type: 'bogus' }).success).toBe(false);
  });

  it('accepts printable idempotency keys only', () => {
    expect(IdempotencyKeySchema.safeParse('order-123_abc').success).toBe(true);
    expect(IdempotencyKeySchema.safeParse('has space').success).toBe(false);
    expect(IdempotencyKeySchema.safeParse('x'.repeat(129)).success).toBe(false);
  });

  it('checks chat room ids and requires content', () => {
    expect(
      ChatSendRequestSchema.safeParse({ roomId: 'general', content: 'hi', clientId: 'c1' }).success,
    ).toBe(true);
    expect(
      ChatSendRequestSchema.safeParse({ roomId: 'General!', content: 'hi', clientId: 'c1' }).success,
    ).toBe(false);
    expect(
      ChatSendRequestSchema.safeParse({ roomId: 'general', content: '   ', clientId: 'c1' }).success,
    ).toBe(false);
  });
});
