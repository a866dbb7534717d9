import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { EventBus } from '../../infra/event-bus/event-bus';
import { redisBusOf } from '../../infra/event-bus/redis-event-bus';
import { RedisTokenBucket } from '../../infra/redis/redis-token-bucket';
import { ChatRateLimit } from './chat-rate-limit';

export type ChatAction = 'message' | 'join' | 'leave' | 'typing' | 'create' | 'invite';

/**
 * One per-user token bucket per chat action, shared by the cluster through Redis (a user
 * cannot go faster by spreading sockets over instances): messages, joins, leaves, typing
 * updates, room creation, invites. Each action has its own bucket, so a flood of one does
 * not lock the user out of the others.
 */
@Injectable()
export class ChatLimits {
  private readonly buckets: Record<ChatAction, ChatRateLimit>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, bus: EventBus) {
    const redis = redisBusOf(bus);
    const bucket = (name: string, { perSecond, burst }: { perSecond: number; burst: number }) =>
      new ChatRateLimit(
        perSecond,
        burst,
        redis
          ? new RedisTokenBucket(
              redis.client,
              // Messages keep the key they always had: a rolling deploy keeps counting.
              `${redis.prefix}chat:rate:${name === 'message' ? '' : `${name}:`}`,
              perSecond,
              burst,
            )
          : null,
      );
    const { joinRate, typingRate, createRate } = config.chat;
    this.buckets = {
      message: bucket('message', config.chatRateLimit),
      join: bucket('join', joinRate),
      leave: bucket('leave', joinRate),
      typing: bucket('typing', typingRate),
      create: bucket('create', createRate),
      invite: bucket('invite', joinRate),
    };
  }

  /** 0 when `userId` may do `action` now, otherwise the milliseconds until they may. */
  take(action: ChatAction, userId: number): Promise<number> {
    return this.buckets[action].take(userId);
  }
}
