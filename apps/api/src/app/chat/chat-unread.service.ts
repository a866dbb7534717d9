import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';

import type { ChatUnreadEvent } from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { EventBus } from '../../infra/event-bus/event-bus';
import { chatUnreadBusMessage, userChannel } from '../notifications/notification-events';
import { ChatService } from './chat.service';
import { ChatRoomsService } from './chat-rooms.service';

/**
 * Unread counts on every page of the dashboard without a chat socket per tab: new messages
 * are counted per room as they are stored, and every CHAT_UNREAD_FLUSH_MS the members of the
 * rooms that got any (one query per 500 rooms) receive one `chat-unread` event each on their
 * notification stream, which every signed-in tab already holds. The cost is per flush and per
 * member with news, not per message: a busy room costs its members one event a second.
 */
@Injectable()
export class ChatUnreadService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChatUnreadService.name);
  /** Room → sender id → messages since the last flush. */
  private pending = new Map<string, Map<number, number>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private subscription: Subscription | undefined;
  private flushing = false;

  constructor(
    private readonly chat: ChatService,
    private readonly rooms: ChatRoomsService,
    private readonly bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit() {
    this.subscription = this.chat.stored$.subscribe((messages) => {
      for (const m of messages) {
        let senders = this.pending.get(m.roomId);
        if (!senders) this.pending.set(m.roomId, (senders = new Map()));
        senders.set(m.senderId, (senders.get(m.senderId) ?? 0) + 1);
      }
    });
    this.timer = setInterval(() => void this.flush(), this.config.chat.unreadFlushMs);
    this.timer.unref?.();
  }

  onModuleDestroy() {
    this.subscription?.unsubscribe();
    clearInterval(this.timer);
  }

  /** Sends what accumulated; returns the number of users told. */
  async flush(): Promise<number> {
    if (this.flushing || !this.pending.size) return 0;
    this.flushing = true;
    const batch = this.pending;
    this.pending = new Map();
    try {
      const members = await this.rooms.membersOf([...batch.keys()]);
      const perUser = new Map<number, ChatUnreadEvent>();
      for (const [roomId, senders] of batch) {
        let total = 0;
        for (const n of senders.values()) total += n;
        for (const { userId } of members.get(roomId) ?? []) {
          const added = total - (senders.get(userId) ?? 0);
          if (added <= 0) continue;
          let event = perUser.get(userId);
          if (!event) perUser.set(userId, (event = { rooms: {} }));
          event.rooms[roomId] = added;
        }
      }
      for (const [userId, event] of perUser) {
        void this.bus
          .publish(userChannel(userId), chatUnreadBusMessage(JSON.stringify(event)))
          .catch(() => undefined);
      }
      return perUser.size;
    } catch (err) {
      // Counts are increments: the next `GET /api/chat/unread` has the truth anyway.
      this.logger.warn(`chat-unread not sent: ${(err as Error).message}`);
      return 0;
    } finally {
      this.flushing = false;
    }
  }
}
