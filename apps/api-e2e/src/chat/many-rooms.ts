import { type ApiProcess, TEST_MONITORING_TOKEN, request } from '@realtime/test-support';

import type { ChatClient } from './chat-client';

/** Rooms one socket holds here; larger by hand: `CHAT_E2E_ROOMS=5000`. */
export const ROOMS = Number(process.env.CHAT_E2E_ROOMS ?? 300);
/** Rooms per presence batch in the API (PRESENCE_BATCH_ROOMS): one members query each. */
export const PRESENCE_BATCH = 500;

export const manyRoomsEnv = {
  SIMULATOR: 'false',
  DASHBOARD_TICK_MS: '3600000',
  CHAT_ROOMS_JOINED_MAX: String(ROOMS + 10),
  CHAT_ROOMS_CREATED_MAX: String(ROOMS + 10),
  CHAT_JOIN_RATE_PER_S: '100000',
  CHAT_JOIN_RATE_BURST: '100000',
  CHAT_CREATE_RATE_PER_MIN: '1000000',
  CHAT_CREATE_RATE_BURST: '1000000',
  // Nothing else queries the database while a test counts: no account poll, no status pings.
  ACCOUNT_POLL_MS: '3600000',
  INSTANCE_STATUS_MS: '600000',
};

/** Joins every room, 50 requests in flight at a time. */
export async function joinAll(client: ChatClient, roomIds: string[]) {
  for (let i = 0; i < roomIds.length; i += 50) {
    const acks = await Promise.all(
      roomIds.slice(i, i + 50).map((roomId) => client.request('join', { roomId })),
    );
    const failed = acks.find((a) => !a.ok);
    if (failed) throw new Error(`join failed: ${JSON.stringify(failed)}`);
  }
}

/**
 * Statements the instance has run, its health check's own ping included. Read with the
 * monitoring token, which costs no query (an access token would be checked against the
 * database): each read adds exactly one statement, so `after - before - 1` is exactly what
 * ran in between (with manyRoomsEnv nothing runs in the background).
 */
export async function queriesOf(api: ApiProcess | string): Promise<number> {
  const res = await request(api, 'GET', '/api/health', { token: TEST_MONITORING_TOKEN });
  return res.body.details.database.queries as number;
}
