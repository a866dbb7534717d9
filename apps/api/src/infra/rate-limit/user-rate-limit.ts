import { Logger } from '@nestjs/common';

import { RateLimiter } from './rate-limiter';

/** Spends one token of a key in a shared store (Redis): 0, or the milliseconds until one is back. */
export interface SharedTokenBucket {
  take(key: string | number): Promise<number>;
}

/**
 * The per-user limit of one action (chat messages, published notifications …): a token bucket
 * per key, in Redis when the cluster shares one (a user cannot go faster by spreading
 * connections over instances), in-process otherwise, and in-process too while Redis does not
 * answer, so an action is never refused or held up because Redis is away. Create one per
 * limited action through `RateLimits.create`.
 */
export class UserRateLimit {
  private readonly logger: Logger;
  private readonly local: RateLimiter;
  private failing = false;

  constructor(
    readonly name: string,
    perSecond: number,
    burst: number,
    private readonly shared: SharedTokenBucket | null,
    now?: () => number,
  ) {
    this.logger = new Logger(`RateLimit:${name}`);
    this.local = new RateLimiter(perSecond, burst, now);
  }

  /**
   * Spends one token of `key`: 0 when allowed, otherwise the milliseconds until one is back.
   * In-process (no shared store) the answer is a plain number, at once: the chat's hot path
   * takes one per message and needs no promise for it.
   */
  take(key: number | string): number | Promise<number> {
    return this.shared ? this.takeShared(this.shared, key) : this.local.take(key);
  }

  private async takeShared(shared: SharedTokenBucket, key: number | string): Promise<number> {
    try {
      const wait = await shared.take(key);
      if (this.failing) this.logger.log(`${this.name} rate limit shared through Redis again`);
      this.failing = false;
      return wait;
    } catch (err) {
      if (!this.failing)
        this.logger.warn(`${this.name} rate limit per instance for now: ${(err as Error).message}`);
      this.failing = true;
    }
    return this.local.take(key);
  }
}

/** Makes the per-user limits: cluster-wide with Redis, per process otherwise. */
export abstract class RateLimits {
  /** The limit of action `name` (its keys are `<prefix><name>:rate:<key>` in Redis). */
  abstract create(name: string, perSecond: number, burst: number): UserRateLimit;
}

export class LocalRateLimits extends RateLimits {
  create(name: string, perSecond: number, burst: number): UserRateLimit {
    return new UserRateLimit(name, perSecond, burst, null);
  }
}
