import { BadRequestException } from '@nestjs/common';

/** The channels one `GET /api/stream` can carry. */
export const STREAM_CHANNELS = ['dashboard', 'notifications', 'ops'] as const;
export type StreamChannelName = (typeof STREAM_CHANNELS)[number];
/**
 * What a stream without `?channels=` carries, in this order: every channel that every role may
 * read. `ops` (admins only) is carried only when named, so a default stream never changes with
 * the caller's role and never refuses anyone.
 */
export const DEFAULT_CHANNELS: readonly StreamChannelName[] = ['dashboard', 'notifications'];
/** The least role each channel needs (absent: any signed-in user). */
export const CHANNEL_ROLES: Partial<Record<StreamChannelName, 'admin'>> = { ops: 'admin' };

/**
 * `?channels=dashboard,notifications` → the channel names, each once, in the order given.
 * Absent or empty: DEFAULT_CHANNELS. Anything else (an unknown name, not a string) → 400 naming it.
 */
export function parseChannels(raw: unknown): StreamChannelName[] {
  if (raw === undefined || raw === '') return [...DEFAULT_CHANNELS];
  const parts = Array.isArray(raw) ? raw : [raw];
  if (!parts.every((p) => typeof p === 'string') || parts.join(',').length > 200)
    throw new BadRequestException('channels must be a comma-separated list of channel names');
  const names: StreamChannelName[] = [];
  for (const name of (parts as string[]).flatMap((p) => p.split(',')).map((p) => p.trim())) {
    if (!name) continue;
    if (!(STREAM_CHANNELS as readonly string[]).includes(name))
      throw new BadRequestException(
        `Unknown channel "${name.slice(0, 40)}" in channels: the channels are ${STREAM_CHANNELS.join(', ')}`,
      );
    if (!names.includes(name as StreamChannelName)) names.push(name as StreamChannelName);
  }
  if (!names.length) throw new BadRequestException('channels names no channel');
  return names;
}
