import { type ApiProcess, request } from '@realtime/test-support';

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

/** Statements the instance has run (health details are for admins: alice's token). */
export async function queriesOf(api: ApiProcess | string, adminToken: string): Promise<number> {
  const res = await request(api, 'GET', '/api/health', { token: adminToken });
  return res.body.details.database.queries as number;
}

/**
 * The counter before something happens, and what one health check itself costs (its ping and
 * the token check), measured by two checks in a row: `after - before - perCheck` is then what
 * happened in between.
 */
export async function queryBaseline(api: ApiProcess | string, adminToken: string) {
  await queriesOf(api, adminToken); // warms the token check's caches
  const first = await queriesOf(api, adminToken);
  const before = await queriesOf(api, adminToken);
  return { before, perCheck: before - first };
}
