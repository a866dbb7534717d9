import { Module } from '@nestjs/common';

import { ChatController } from './chat.controller';
import { ChatGateway } from './chat.gateway';
import { ChatService } from './chat.service';
import { ChatConnections } from './chat-connections';
import { ChatLimits } from './chat-limits';
import { ChatPresence } from './chat-presence';
import { ChatRoomsService } from './chat-rooms.service';
import { ChatUnreadService } from './chat-unread.service';

@Module({
  controllers: [ChatController],
  providers: [
    ChatService,
    ChatRoomsService,
    ChatLimits,
    ChatPresence,
    ChatConnections,
    ChatUnreadService,
    ChatGateway,
  ],
})
export class ChatModule {}
