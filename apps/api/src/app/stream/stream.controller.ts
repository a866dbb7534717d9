import { Controller, Headers, type MessageEvent, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';

import { roleAtLeast } from '@realtime/contracts';

import { CurrentUser } from '../../common/current-user.decorator';
import { StreamAuth } from '../../common/public.decorator';
import { EventStream } from '../../common/streams/event-stream.decorator';
import { decodeCursor } from '../../common/streams/stream-cursor';
import { StreamHub } from '../../common/streams/stream-hub';
import type { StreamSource } from '../../common/streams/stream-source';
import { forbidden } from '../auth/roles.guard';
import type { VerifiedUser } from '../auth/token.service';
import { DashboardService } from '../dashboard/dashboard.service';
import { NotificationStreamService } from '../notifications/notification-stream.service';
import { OpsChannel } from '../operations/ops-channel';
import {
  CHANNEL_ROLES,
  DEFAULT_CHANNELS,
  STREAM_CHANNELS,
  type StreamChannelName,
  parseChannels,
} from './stream-channels';

/**
 * `GET /api/stream?channels=dashboard,notifications`: every channel a user follows on one SSE
 * stream, so that a browser holds one connection whatever the number of its tabs. The channels
 * are the same sources as `/api/dashboard/stream` and `/api/notifications/stream`, opened
 * together on the stream core (one writer, one heartbeat, one expiry, one slow-reader bound);
 * each event's id names every channel's position (`dashboard:<id>,notifications:<id>`), so a
 * client resumes each channel exactly with it.
 */
@ApiTags('stream')
@ApiBearerAuth()
@Controller('stream')
export class StreamController {
  private readonly sources: Record<StreamChannelName, StreamSource>;

  constructor(
    private readonly hub: StreamHub,
    dashboard: DashboardService,
    notifications: NotificationStreamService,
    ops: OpsChannel,
  ) {
    this.sources = { dashboard: dashboard.streamSource, notifications, ops };
  }

  @StreamAuth()
  @EventStream()
  @ApiQuery({
    name: 'channels',
    required: false,
    description: `Comma-separated, from: ${STREAM_CHANNELS.join(', ')} (default: ${DEFAULT_CHANNELS.join(',')}; ops: admins only, else 403)`,
  })
  @ApiQuery({ name: 'lastEventId', required: false, description: 'For a reconnect by hand' })
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  stream(
    @CurrentUser() user: VerifiedUser,
    @Query('channels') channels: unknown,
    @Headers('last-event-id') header: string | undefined,
    @Query('lastEventId') query: unknown,
  ): Observable<MessageEvent> {
    const names = parseChannels(channels);
    // Before any stream byte: a channel above the caller's role refuses the whole stream.
    for (const name of names) {
      const role = CHANNEL_ROLES[name];
      if (role && !roleAtLeast(user.role, role))
        throw forbidden(role, `The ${name} channel needs the ${role} role`);
    }
    const cursor = header ?? (typeof query === 'string' ? query : undefined);
    if (names.length > 1)
      return this.hub.open(
        names.map((name) => this.sources[name]),
        user,
        cursor,
      );
    // One channel keeps its plain ids, as on its own endpoint; a combined id gives its part.
    const [own] = cursor?.includes(':') ? decodeCursor(cursor, names) : [cursor];
    return this.hub.open(this.sources[names[0]], user, own);
  }
}
