import {
  ChatSendRequestSchema,
  CreateNotificationRequestSchema,
  CreateAlertRuleRequestSchema,
  UpdateAlertRuleRequestSchema,
  CreateOrderRequestSchema,
  DashboardHistoryRangeQuerySchema,
  IdempotencyKeySchema,
  NotificationListQuerySchema,
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

  it('reads the notification list query, with a default limit and clear errors', () => {
    expect(NotificationListQuerySchema.parse({})).toEqual({ limit: 50 });
    expect(NotificationListQuerySchema.parse({ cursor: '12', limit: '5', other: 'x' })).toEqual({
      cursor: '12',
      limit: 5,
    });
    for (const [query, field] of [
      [{ limit: '0' }, /limit: must be at least 1/],
      [{ limit: '101' }, /limit: must be at most 100/],
      [{ limit: 'ten' }, /limit: must be a whole number/],
      [{ cursor: 'abc' }, /cursor/],
      [{ limit: ['1', '2'] }, /limit/],
    ] as const) {
      const result = NotificationListQuerySchema.safeParse(query);
      expect(result.success).toBe(false);
      expect(describeIssues(result.error!)).toMatch(field);
    }
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

describe('DashboardHistoryRangeQuerySchema', () => {
  const parse = (q: Record<string, string>) => DashboardHistoryRangeQuerySchema.safeParse(q);
  const message = (q: Record<string, string>) => {
    const r = parse(q);
    return r.success ? 'ok' : describeIssues(r.error);
  };

  it('takes epoch milliseconds and ISO 8601 times (UTC without an offset)', () => {
    expect(parse({ from: '1000', to: '2026-11-30T10:00:00Z' }).data).toEqual({
      from: 1000,
      to: Date.UTC(2026, 10, 30, 10),
    });
    expect(parse({ from: '2026-11-30T10:00' }).data?.from).toBe(Date.UTC(2026, 10, 30, 10));
    expect(parse({ from: '2026-11-30T12:00:00+02:00' }).data?.from).toBe(Date.UTC(2026, 10, 30, 10));
    expect(parse({ from: '2026-11-30' }).data?.from).toBe(Date.UTC(2026, 10, 30));
  });

  it('takes steps in ms or as ISO 8601 durations, whole minutes only', () => {
    expect(parse({ step: '60000' }).data?.step).toBe(60_000);
    expect(parse({ step: 'PT5M' }).data?.step).toBe(300_000);
    expect(parse({ step: 'P1DT1H' }).data?.step).toBe(90_000_000);
    expect(message({ step: '90000' })).toMatch(/^step: must be a whole number of minutes/);
    expect(message({ step: 'PT30S' })).toMatch(/^step: must be a whole number of minutes/);
    expect(message({ step: 'P' })).toMatch(/^step: must be milliseconds or an ISO 8601 duration/);
    expect(message({ step: 'PT' })).toMatch(/^step: must be milliseconds/);
  });

  it('names the field that is wrong', () => {
    expect(message({ from: 'tomorrow' })).toMatch(/^from: must be an ISO 8601 time or epoch milliseconds/);
    expect(message({ to: '2026-02-30T25:00:00Z' })).toMatch(/^to: /);
    expect(message({ from: '2000', to: '1000' })).toBe('from: must not be after to');
    expect(message({ from: '1000', to: '1000' })).toBe('ok');
  });
});

describe('CreateAlertRuleRequestSchema', () => {
  const rule = {
    name: 'orders stopped',
    metric: 'ordersPerMinute',
    condition: 'below',
    threshold: 2,
    durationSeconds: 300,
    recipients: { users: [2], roles: ['operator'] },
  };
  const message = (body: object) => {
    const r = CreateAlertRuleRequestSchema.safeParse(body);
    return r.success ? 'ok' : describeIssues(r.error);
  };

  it('takes a numeric rule with a threshold, and a status rule without one', () => {
    expect(message(rule)).toBe('ok');
    expect(
      message({
        name: 'down',
        metric: 'systemStatus',
        condition: 'not-operational',
        recipients: { roles: ['admin'] },
      }),
    ).toBe('ok');
  });

  it('names the field that is wrong', () => {
    expect(message({ ...rule, metric: 'cpu' })).toMatch(/^metric: must be one of/);
    expect(message({ ...rule, threshold: '2' })).toMatch(/^threshold: must be a number/);
    expect(message({ ...rule, threshold: Infinity })).toMatch(/^threshold: /);
    expect(message({ ...rule, recipients: { users: [] } })).toBe(
      'recipients: name at least one user or role',
    );
    expect(message({ ...rule, metric: 'systemStatus' })).toBe(
      'condition: systemStatus takes not-operational',
    );
    expect(message({ ...rule, metric: 'systemStatus', condition: 'not-operational', threshold: 1 })).toBe(
      'threshold: not allowed with not-operational',
    );
    expect(message({ ...rule, hysteresis: -1 })).toMatch(/^hysteresis: must be at least 0/);
  });
});

describe('UpdateAlertRuleRequestSchema', () => {
  const message = (body: object) => {
    const r = UpdateAlertRuleRequestSchema.safeParse(body);
    return r.success ? 'ok' : describeIssues(r.error);
  };

  it('takes any one field, and a null threshold (dropping it)', () => {
    expect(message({ enabled: false })).toBe('ok');
    expect(message({ threshold: 5 })).toBe('ok');
    expect(message({ metric: 'systemStatus', condition: 'not-operational', threshold: null })).toBe('ok');
  });

  it('refuses nothing to change, an unknown field, and a bad value, naming it', () => {
    expect(message({})).toBe('name at least one field to change');
    expect(message({ state: 'ok' })).toMatch(/state/);
    expect(message({ durationSeconds: 1.5 })).toMatch(/^durationSeconds: must be a whole number/);
    expect(message({ recipients: { roles: [] } })).toBe('recipients: name at least one user or role');
    expect(message({ name: ' ' })).toMatch(/^name: /);
  });
});
