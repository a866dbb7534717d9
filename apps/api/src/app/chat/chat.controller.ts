import { BadRequestException, Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';

import type { AuthUser, ChatMessagesPage, ChatRoomsResponse } from '@realtime/contracts';
import { ChatMessagesQuerySchema, RoomIdSchema, describeIssues } from '@realtime/contracts/schemas';

import { CurrentUser } from '../../common/current-user.decorator';
import { ZodPipe } from '../../common/zod-body';
import { ChatService } from './chat.service';

/** Reads for the chat page: the room list and older messages when scrolling back. */
@ApiTags('chat')
@ApiBearerAuth()
@Controller('chat')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Get('rooms')
  async rooms(@CurrentUser() user: AuthUser): Promise<ChatRoomsResponse> {
    return { rooms: await this.chat.rooms(user.id) };
  }

  /** Oldest first; `nextCursor` goes into `?before=` for the page before this one. */
  @Get('rooms/:roomId/messages')
  @ApiQuery({ name: 'before', required: false, description: 'cursor from a previous page or join ack' })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 50' })
  async messages(
    @Param('roomId') roomId: string,
    @Query(new ZodPipe(ChatMessagesQuerySchema)) query: { before?: string; limit?: number },
  ): Promise<ChatMessagesPage> {
    const id = RoomIdSchema.safeParse(roomId);
    if (!id.success) throw new BadRequestException(`roomId: ${describeIssues(id.error)}`);
    if (!(await this.chat.roomExists(id.data))) throw new NotFoundException(`No room ${id.data}`);
    return this.chat.history(id.data, {
      before: query.before === undefined ? undefined : Number(query.before),
      limit: query.limit,
    });
  }
}
