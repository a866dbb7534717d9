import { Controller, Headers, type MessageEvent, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';

import { CurrentUser } from '../../common/current-user.decorator';
import { StreamAuth } from '../../common/public.decorator';
import { EventStream } from '../../common/streams/event-stream.decorator';
import { decodeCursor } from '../../common/streams/stream-cursor';
import { StreamHub } from '../../common/streams/stream-hub';
import type { StreamSource } from '../../common/streams/stream-source';
import type { VerifiedUser } from '../auth/token.service';
import { DashboardService } from '../dashboard/dashboard.service';
import { NotificationStreamService } from '../notifications/notification-stream.service';
import { STREAM_CHANNELS, type StreamChannelName, parseChannels } from './stream-channels';

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
  ) {
    this.sources = { dashboard: dashboard.streamSource, notifications };
  }

  @StreamAuth()
  @EventStream()
  @ApiQuery({
    name: 'channels',
    required: false,
    description: `Comma-separated, from: ${STREAM_CHANNELS.join(', ')} (default: all)`,
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
