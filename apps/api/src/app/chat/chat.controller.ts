import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';

import type {
  AuthUser,
  ChatMessagesPage,
  ChatRoomsResponse,
  ChatUnreadResponse,
  CreateRoomRequest,
  InviteRequest,
  MarkReadRequest,
  RoomMember,
  RoomSummary,
} from '@realtime/contracts';
import {
  ChatMessagesQuerySchema,
  ChatRoomsQuerySchema,
  CreateRoomRequestSchema,
  InviteRequestSchema,
  MarkReadRequestSchema,
  RoomIdSchema,
  describeIssues,
} from '@realtime/contracts/schemas';

import { CurrentUser } from '../../common/current-user.decorator';
import { ZodBody, ZodPipe } from '../../common/zod-body';
import { ChatService } from './chat.service';
import { ChatError, HTTP_STATUS_OF } from './chat-error';
import { type ChatAction, ChatLimits } from './chat-limits';
import { ChatPresence } from './chat-presence';
import { ChatRoomsService, type Room } from './chat-rooms.service';

function roomIdOf(raw: string): string {
  const id = RoomIdSchema.safeParse(raw);
  if (!id.success) throw new BadRequestException(`roomId: ${describeIssues(id.error)}`);
  return id.data;
}

/** A ChatError as the HTTP answer: its status, message and code (`{statusCode, message, error, code}`). */
async function http<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ChatError)) throw err;
    const statusCode = HTTP_STATUS_OF[err.code] ?? 400;
    throw new HttpException({ statusCode, message: err.message, code: err.code, ...err.extra }, statusCode);
  }
}

/**
 * Rooms over HTTP: the paged list with unread counts, creation (the only way to a private
 * room), invites, archive/delete, read markers, and history for members. Each maps to one
 * service call; rate limits per user as on the socket.
 */
@ApiTags('chat')
@ApiBearerAuth()
@Controller('chat')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly rooms: ChatRoomsService,
    private readonly presence: ChatPresence,
    private readonly limits: ChatLimits,
  ) {}

  @Get('rooms')
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 50' })
  listRooms(
    @CurrentUser() user: AuthUser,
    @Query(new ZodPipe(ChatRoomsQuerySchema)) query: { cursor?: string; limit?: number },
  ): Promise<ChatRoomsResponse> {
    return this.rooms.list(user, query);
  }

  /** Viewers may chat: every signed-in role may create rooms (within the caps). */
  @Post('rooms')
  createRoom(
    @CurrentUser() user: AuthUser,
    @ZodBody(CreateRoomRequestSchema) body: CreateRoomRequest,
  ): Promise<RoomSummary> {
    return http(async () => {
      await this.take('create', user.id);
      const room = await this.rooms.create(user, body);
      return summary(room, { members: 1, joined: true });
    });
  }

  @Get('unread')
  async unread(@CurrentUser() user: AuthUser): Promise<ChatUnreadResponse> {
    return { rooms: await this.rooms.unreadCounts(user.id) };
  }

  @Post('rooms/:roomId/members')
  invite(
    @CurrentUser() user: AuthUser,
    @Param('roomId') roomId: string,
    @ZodBody(InviteRequestSchema) body: InviteRequest,
  ): Promise<RoomMember> {
    const id = roomIdOf(roomId);
    return http(async () => {
      await this.take('invite', user.id);
      const member = await this.rooms.invite(user, id, body.username);
      void this.presence.broadcast(id);
      return member;
    });
  }

  @Put('rooms/:roomId/read')
  @HttpCode(204)
  markRead(
    @CurrentUser() user: AuthUser,
    @Param('roomId') roomId: string,
    @ZodBody(MarkReadRequestSchema) body: MarkReadRequest,
  ): Promise<void> {
    const id = roomIdOf(roomId);
    return http(() => this.rooms.markRead(user, id, body.messageId));
  }

  /** The room's owner, or an admin. */
  @Post('rooms/:roomId/archive')
  @HttpCode(204)
  archive(@CurrentUser() user: AuthUser, @Param('roomId') roomId: string): Promise<void> {
    const id = roomIdOf(roomId);
    return http(async () => {
      await this.rooms.archive(user, id);
      this.presence.closeRoom(id);
    });
  }

  /** The room's owner, or an admin. */
  @Delete('rooms/:roomId')
  @HttpCode(204)
  remove(@CurrentUser() user: AuthUser, @Param('roomId') roomId: string): Promise<void> {
    const id = roomIdOf(roomId);
    return http(async () => {
      await this.rooms.remove(user, id);
      this.presence.closeRoom(id);
    });
  }

  /** Members only. Oldest first; `nextCursor` goes into `?before=` for the page before this one. */
  @Get('rooms/:roomId/messages')
  @ApiQuery({ name: 'before', required: false, description: 'cursor from a previous page or join ack' })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 50' })
  messages(
    @CurrentUser() user: AuthUser,
    @Param('roomId') roomId: string,
    @Query(new ZodPipe(ChatMessagesQuerySchema)) query: { before?: string; limit?: number },
  ): Promise<ChatMessagesPage> {
    const id = roomIdOf(roomId);
    return http(async () => {
      await this.rooms.assertMember(user, id);
      return this.chat.history(id, {
        before: query.before === undefined ? undefined : Number(query.before),
        limit: query.limit,
      });
    });
  }

  private async take(action: ChatAction, userId: number) {
    const waitMs = await this.limits.take(action, userId);
    if (waitMs > 0) {
      throw new ChatError('RATE_LIMITED', `Too many ${action} requests, slow down`, { retryAfterMs: waitMs });
    }
  }
}

function summary(room: Room, counts: { members: number; joined: boolean }): RoomSummary {
  return { ...room, ...counts, lastMessageAt: null, unread: 0 };
}
