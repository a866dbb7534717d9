import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { RateLimits, type UserRateLimit } from '../../infra/rate-limit/user-rate-limit';

export type ChatAction = 'message' | 'join' | 'leave' | 'typing' | 'create' | 'invite';

/**
 * One per-user limit per chat action, made through the one per-user limiter in infra
 * (`RateLimits`: shared by the cluster through Redis, so a user cannot go faster by spreading
 * sockets over instances): messages, joins, leaves, typing updates, room creation, invites.
 * Each action has its own bucket, so a flood of one does not lock the user out of the others.
 */
@Injectable()
export class ChatLimits {
  private readonly buckets: Record<ChatAction, UserRateLimit>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, rateLimits: RateLimits) {
    const { perSecond, burst } = config.chatRateLimit;
    const { joinRate, typingRate, createRate } = config.chat;
    const bucket = (name: string, rate: { perSecond: number; burst: number }) =>
      rateLimits.create(`chat-${name}`, rate.perSecond, rate.burst);
    this.buckets = {
      // Messages keep the limit main had (`chat`): a rolling deploy keeps counting.
      message: rateLimits.create('chat', perSecond, burst),
      join: bucket('join', joinRate),
      leave: bucket('leave', joinRate),
      typing: bucket('typing', typingRate),
      create: bucket('create', createRate),
      invite: bucket('invite', joinRate),
    };
  }

  /** 0 when `userId` may do `action` now, otherwise the milliseconds until they may. */
  take(action: ChatAction, userId: number): number | Promise<number> {
    return this.buckets[action].take(userId);
  }
}
