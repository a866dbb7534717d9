import { type SharedTokenBucket, UserRateLimit } from './user-rate-limit';

describe('UserRateLimit', () => {
  it('asks the shared bucket when there is one', async () => {
    const shared = { take: jest.fn(async () => 250) } as unknown as SharedTokenBucket;
    const limit = new UserRateLimit('chat', 1, 1, shared);
    expect(await limit.take(1)).toBe(250);
  });

  it('limits in-process while the shared bucket does not answer, and goes back to it', async () => {
    let down = true;
    const shared = {
      take: jest.fn(async () => {
        if (down) throw new Error('Connection is closed.');
        return 0;
      }),
    } as unknown as SharedTokenBucket;
    const now = 1_000;
    const limit = new UserRateLimit('chat', 1, 2, shared, () => now);
    expect([await limit.take(1), await limit.take(1)]).toEqual([0, 0]);
    expect(await limit.take(1)).toBe(1000);
    down = false;
    expect(await limit.take(1)).toBe(0);
  });
});
