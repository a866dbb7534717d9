import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  type MessageEvent,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Observable } from 'rxjs';

import {
  type BroadcastNotificationRequest,
  type BroadcastNotificationResponse,
  type CreateNotificationRequest,
  NOTIFICATION_HEADERS,
  type Notification,
  type NotificationListQuery,
  type NotificationListResponse,
  type NotificationsRead,
} from '@realtime/contracts';
import {
  BroadcastNotificationRequestSchema,
  CreateNotificationRequestSchema,
  NotificationListQuerySchema,
} from '@realtime/contracts/schemas';

import { ActionRateLimits } from '../../common/action-rate-limits';
import { CurrentUser } from '../../common/current-user.decorator';
import { StreamAuth } from '../../common/public.decorator';
import { Roles, Scope } from '../../common/roles.decorator';
import { EventStream } from '../../common/streams/event-stream.decorator';
import { ZodBody, ZodPipe } from '../../common/zod-body';
import type { VerifiedUser } from '../auth/token.service';
import { NotificationIdPipe } from './notification-id.pipe';
import { parseLastEventId } from './notification-events';
import { NotificationStreamService } from './notification-stream.service';
import { NotificationsService } from './notifications.service';

type ListQuery = Required<Pick<NotificationListQuery, 'limit'>> & Pick<NotificationListQuery, 'cursor'>;

/**
 * Notifications of the signed-in user: every role reads, marks and deletes its own;
 * operators (and admins) notify a user; admins broadcast to everyone. Each one names its sender.
 */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly streams: NotificationStreamService,
    private readonly limits: ActionRateLimits,
  ) {}

  /**
   * The plain array that the public contract promises, newest first; the page metadata is in
   * `X-Next-Cursor`, `X-Unread-Count` and `Link: <…>; rel="next"` (or use `GET …/page`).
   */
  @Get()
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async list(
    @CurrentUser() user: VerifiedUser,
    @Query(new ZodPipe(NotificationListQuerySchema)) query: ListQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Notification[]> {
    const page = await this.notifications.list(user.id, query);
    res.setHeader(NOTIFICATION_HEADERS.unreadCount, String(page.unreadCount));
    const exposed: string[] = [NOTIFICATION_HEADERS.unreadCount];
    if (page.nextCursor !== null) {
      res.setHeader(NOTIFICATION_HEADERS.nextCursor, page.nextCursor);
      res.setHeader(
        'Link',
        `</api/notifications?cursor=${page.nextCursor}&limit=${query.limit}>; rel="next"`,
      );
      exposed.push(NOTIFICATION_HEADERS.nextCursor, 'Link');
    }
    res.setHeader('Access-Control-Expose-Headers', exposed.join(', '));
    return page.items;
  }

  /** The same page as `GET /api/notifications`, with its metadata in the body. */
  @Get('page')
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  page(
    @CurrentUser() user: VerifiedUser,
    @Query(new ZodPipe(NotificationListQuerySchema)) query: ListQuery,
  ): Promise<NotificationListResponse> {
    return this.notifications.list(user.id, query);
  }

  /**
   * `connected`, then the user's `notification`, `notification-read` and
   * `notification-deleted` events. Resumes after `Last-Event-ID`, or after `?lastEventId=`
   * for clients that reconnect by hand; the header wins, as an EventSource that reconnects
   * on its own keeps its first URL.
   */
  @StreamAuth()
  @EventStream('stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  @ApiQuery({ name: 'lastEventId', required: false })
  stream(
    @CurrentUser() user: VerifiedUser,
    @Headers('last-event-id') header: string | undefined,
    @Query('lastEventId') query: unknown,
  ): Observable<MessageEvent> {
    // open() throws the 429 before any byte is written.
    return this.streams.open(user, parseLastEventId(header) ?? parseLastEventId(query));
  }

  @Post()
  @HttpCode(201)
  @Roles('operator')
  @Scope('notifications:write')
  async create(
    @CurrentUser() user: VerifiedUser,
    @ZodBody(CreateNotificationRequestSchema) body: CreateNotificationRequest,
  ): Promise<Notification> {
    // Per user (NOTIFY_RATE_PER_S, NOTIFY_RATE_BURST), cluster-wide: one user cannot flood others.
    await this.limits.spend('notify', user);
    return this.notifications.create(body, { id: user.id, username: user.username });
  }

  /** One notification to every enabled user, from the admin who sends it (the same limit). */
  @Post('broadcast')
  @HttpCode(201)
  @Roles('admin')
  async broadcast(
    @CurrentUser() user: VerifiedUser,
    @ZodBody(BroadcastNotificationRequestSchema) body: BroadcastNotificationRequest,
  ): Promise<BroadcastNotificationResponse> {
    await this.limits.spend('notify', user);
    const recipients = await this.notifications.broadcast(body, { id: user.id, username: user.username });
    return { recipients };
  }

  @Put('read-all')
  @HttpCode(200)
  readAll(@CurrentUser() user: VerifiedUser): Promise<NotificationsRead> {
    return this.notifications.markAllRead(user.id);
  }

  @Put(':id/read')
  @HttpCode(200)
  read(
    @CurrentUser() user: VerifiedUser,
    @Param('id', NotificationIdPipe) id: number,
  ): Promise<Notification> {
    return this.notifications.markRead(user.id, id);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentUser() user: VerifiedUser, @Param('id', NotificationIdPipe) id: number): Promise<void> {
    return this.notifications.remove(user.id, id);
  }
}
