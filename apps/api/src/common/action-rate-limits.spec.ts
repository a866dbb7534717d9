import { HttpException } from '@nestjs/common';

import type { AppConfig } from '../config/app-config';
import { LocalRateLimits } from '../infra/rate-limit/user-rate-limit';
import { ActionRateLimits, principalKey } from './action-rate-limits';

const config = {
  refreshRateLimit: { perSecond: 1, burst: 2 },
  orderRateLimit: { perSecond: 1, burst: 2 },
  notifyRateLimit: { perSecond: 1, burst: 2 },
} as unknown as AppConfig;

describe('ActionRateLimits', () => {
  it('keys an API key apart from its owner, and a user by id', () => {
    expect(principalKey({ id: 7 })).toBe(7);
    expect(principalKey({ id: 7, apiKey: { id: 3 } })).toBe('key:3');
  });

  it("gives an API key its own bucket: a machine spending its owner's limit leaves the person theirs", async () => {
    const limits = new ActionRateLimits(config, new LocalRateLimits());
    const owner = { id: 7 };
    const key = { id: 7, apiKey: { id: 3 } };
    await limits.spend('order', key);
    await limits.spend('order', key);
    await expect(limits.spend('order', key)).rejects.toBeInstanceOf(HttpException);
    await expect(limits.spend('order', owner)).resolves.toBeUndefined();
  });

  it('answers 429 with the wait in the body', async () => {
    const limits = new ActionRateLimits(config, new LocalRateLimits());
    await limits.spend('refresh', { id: 1 });
    await limits.spend('refresh', { id: 1 });
    const err = await limits.spend('refresh', { id: 1 }).catch((e: HttpException) => e);
    expect((err as HttpException).getStatus()).toBe(429);
    expect((err as HttpException).getResponse()).toMatchObject({
      statusCode: 429,
      retryAfterMs: expect.any(Number),
    });
  });
});
