import { BadRequestException } from '@nestjs/common';

/** The channels one `GET /api/stream` can carry, in the order a stream without `?channels=` uses. */
export const STREAM_CHANNELS = ['dashboard', 'notifications'] as const;
export type StreamChannelName = (typeof STREAM_CHANNELS)[number];

/**
 * `?channels=dashboard,notifications` → the channel names, each once, in the order given.
 * Absent or empty: every channel. Anything else (an unknown name, not a string) → 400 naming it.
 */
export function parseChannels(raw: unknown): StreamChannelName[] {
  if (raw === undefined || raw === '') return [...STREAM_CHANNELS];
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
