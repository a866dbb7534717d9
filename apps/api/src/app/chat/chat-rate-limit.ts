import { Logger } from '@nestjs/common';

import type { RedisTokenBucket } from '../../infra/redis/redis-token-bucket';
import { RateLimiter } from './rate-limiter';

/**
 * The chat's per-user token bucket: in Redis when the cluster shares one (a user cannot go
 * faster by spreading sockets over instances), in-process otherwise, and in-process too while
 * Redis does not answer, so a message is never refused or held up because Redis is away.
 */
export class ChatRateLimit {
  private readonly logger = new Logger(ChatRateLimit.name);
  private readonly local: RateLimiter;
  private failing = false;

  constructor(
    perSecond: number,
    burst: number,
    private readonly shared: RedisTokenBucket | null,
    now?: () => number,
  ) {
    this.local = new RateLimiter(perSecond, burst, now);
  }

  /** Spends one token of `userId`: 0 when allowed, otherwise the milliseconds until one is back. */
  async take(userId: number | string): Promise<number> {
    if (this.shared) {
      try {
        const wait = await this.shared.take(userId);
        if (this.failing) this.logger.log('chat rate limit shared through Redis again');
        this.failing = false;
        return wait;
      } catch (err) {
        if (!this.failing)
          this.logger.warn(`chat rate limit per instance for now: ${(err as Error).message}`);
        this.failing = true;
      }
    }
    return this.local.take(userId);
  }
}
