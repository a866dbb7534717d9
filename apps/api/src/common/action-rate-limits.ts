import { Global, HttpException, HttpStatus, Inject, Injectable, Module } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RateLimits, type UserRateLimit } from '../infra/rate-limit/user-rate-limit';

export type LimitedAction = 'refresh' | 'order' | 'notify';

/** Who spends the tokens: the API key when a request carries one, otherwise the user. */
export function principalKey(user: Principal): number | string {
  return user.apiKey ? `key:${user.apiKey.id}` : user.id;
}

/** The authenticated caller as the guard puts it on the request (`VerifiedUser`). */
export interface Principal {
  id: number;
  apiKey?: { id: number };
}

const WHAT: Record<LimitedAction, string> = {
  refresh: 'dashboard refreshes',
  order: 'orders',
  notify: 'notifications published',
};

/**
 * One token bucket per limited action (the shared limiter, an instance each), keyed by the
 * authenticated principal and shared by the cluster through Redis: a user cannot go faster by
 * spreading calls over instances. Over the limit: 429 with a JSON body and `Retry-After`.
 */
@Injectable()
export class ActionRateLimits {
  private readonly limits: Record<LimitedAction, UserRateLimit>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, rateLimits: RateLimits) {
    const limit = (name: LimitedAction, { perSecond, burst }: { perSecond: number; burst: number }) =>
      rateLimits.create(name, perSecond, burst);
    this.limits = {
      refresh: limit('refresh', config.refreshRateLimit),
      order: limit('order', config.orderRateLimit),
      notify: limit('notify', config.notifyRateLimit),
    };
  }

  /** Spends one token of `principal` for `action`, or throws the 429 (body: statusCode, message, retryAfterMs). */
  async spend(action: LimitedAction, principal: Principal): Promise<void> {
    const waitMs = await this.limits[action].take(principalKey(principal));
    if (waitMs <= 0) return;
    throw new HttpException(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        message: `Too many ${WHAT[action]}, slow down: retry in ${waitMs} ms`,
        retryAfterMs: waitMs,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** Global: every feature with a limited action injects the one set of limits. */
@Global()
@Module({ providers: [ActionRateLimits], exports: [ActionRateLimits] })
export class ActionRateLimitsModule {}
