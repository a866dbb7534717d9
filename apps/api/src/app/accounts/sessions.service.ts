import { createHash, randomBytes } from 'node:crypto';

import { Inject, Injectable, OnModuleInit, UnauthorizedException } from '@nestjs/common';

import type { SessionInfo } from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import { AccountEvents } from './account-events';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Two tabs (or a retried request) may present the token that was just rotated: within this
 * window that is not theft, and the caller gets a fresh access token (its browser already has
 * the new refresh cookie from the first answer). After it, the old token is a reuse.
 */
export const ROTATION_GRACE_MS = 10_000;
/** Sessions per user: signing in once more ends the least recently used one. */
export const MAX_SESSIONS_PER_USER = 50;

export interface RefreshOutcome {
  userId: number;
  sessionId: string;
  /** The next refresh token, or undefined inside the grace window (keep the cookie as it is). */
  refreshToken?: string;
}

/**
 * Browser sessions: a rotating refresh token (`<sessionId>.<secret>`, stored as a SHA-256
 * hash) that renews the short access tokens. Presenting a token that was rotated away
 * (outside ROTATION_GRACE_MS) revokes the whole session: someone else has a copy of it.
 */
@Injectable()
export class SessionsService implements OnModuleInit {
  /** Whether a session is live, per id, for the access-token check; revocations clear it. */
  private readonly live = new Map<string, { active: boolean; until: number }>();
  private static readonly CACHE_MS = 5000;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: AccountEvents,
  ) {}

  private get db() {
    return this.database.db;
  }

  onModuleInit() {
    this.events.events$.subscribe((e) => {
      if (e.kind === 'sessions-revoked') {
        if (e.sessionId) this.live.delete(e.sessionId);
        else this.live.clear();
      } else if (e.kind === 'user-disabled') {
        this.live.clear();
      }
    });
  }

  async create(userId: number, device: string): Promise<{ sessionId: string; refreshToken: string }> {
    const sessionId = randomBytes(16).toString('base64url');
    const refreshToken = `${sessionId}.${randomBytes(32).toString('base64url')}`;
    const now = Date.now();
    await this.db
      .insertInto('sessions')
      .values({
        id: sessionId,
        user_id: userId,
        token_hash: sha256(refreshToken),
        previous_hash: null,
        rotated_at: null,
        device: device.slice(0, 200) || 'unknown device',
        created_at: now,
        last_used_at: now,
        expires_at: now + this.config.sessionTtlMs,
        revoked_at: null,
      })
      .execute();
    await this.trim(userId);
    return { sessionId, refreshToken };
  }

  /** Renews: a new refresh token for a live session, or a 401 that says why. */
  async rotate(refreshToken: string | undefined): Promise<RefreshOutcome> {
    if (!refreshToken) throw new UnauthorizedException('No session: sign in');
    const sessionId = refreshToken.split('.')[0];
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', sessionId)
      .executeTakeFirst();
    if (!row) throw new UnauthorizedException('Unknown session: sign in again');
    const now = Date.now();
    if (row.revoked_at !== null)
      throw new UnauthorizedException('This session was signed out: sign in again');
    if (row.expires_at <= now) throw new UnauthorizedException('This session has expired: sign in again');
    const hash = sha256(refreshToken);
    const userId = Number(row.user_id);
    if (hash !== row.token_hash) {
      if (
        hash === row.previous_hash &&
        row.rotated_at !== null &&
        now - row.rotated_at <= ROTATION_GRACE_MS
      ) {
        return { userId, sessionId };
      }
      // A rotated-away token came back: whoever holds the current one may be a thief.
      await this.revoke(userId, sessionId);
      throw new UnauthorizedException(
        'This sign-in was already renewed elsewhere: the session is revoked, sign in again',
      );
    }
    const next = `${sessionId}.${randomBytes(32).toString('base64url')}`;
    const updated = await this.db
      .updateTable('sessions')
      .set({
        token_hash: sha256(next),
        previous_hash: hash,
        rotated_at: now,
        last_used_at: now,
        expires_at: now + this.config.sessionTtlMs,
      })
      .where('id', '=', sessionId)
      .where('token_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    // Another renewal with the same token won the race: this one is inside the grace window.
    if (Number(updated.numUpdatedRows) === 0) return { userId, sessionId };
    return { userId, sessionId, refreshToken: next };
  }

  /** The user of a live session, when `refreshToken` is its current (or just-rotated) token. */
  async ownerOf(sessionId: string, refreshToken: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', sessionId)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    const hash = sha256(refreshToken);
    return hash === row.token_hash || hash === row.previous_hash ? Number(row.user_id) : undefined;
  }

  /** Whether access tokens of this session are still good (cached; revocations clear it). */
  async isActive(sessionId: string): Promise<boolean> {
    const hit = this.live.get(sessionId);
    if (hit && hit.until > Date.now()) return hit.active;
    const row = await this.db
      .selectFrom('sessions')
      .select(['revoked_at', 'expires_at'])
      .where('id', '=', sessionId)
      .executeTakeFirst();
    const active = !!row && row.revoked_at === null && row.expires_at > Date.now();
    this.live.set(sessionId, { active, until: Date.now() + SessionsService.CACHE_MS });
    return active;
  }

  /** Revokes one session (if it is the user's) or, without an id, every session of the user. */
  async revoke(userId: number, sessionId?: string): Promise<number> {
    let q = this.db
      .updateTable('sessions')
      .set({ revoked_at: Date.now() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (sessionId) q = q.where('id', '=', sessionId);
    const result = await q.executeTakeFirst();
    if (sessionId) this.live.delete(sessionId);
    else for (const [id] of this.live) this.live.delete(id);
    await this.events.publish({ kind: 'sessions-revoked', userId, ...(sessionId ? { sessionId } : {}) });
    return Number(result.numUpdatedRows);
  }

  /** The user's live sessions, most recently used first. */
  async list(userId: number, currentId?: string): Promise<SessionInfo[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', Date.now())
      .orderBy('last_used_at', 'desc')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      device: r.device,
      createdAt: iso(Number(r.created_at)),
      lastUsedAt: iso(Number(r.last_used_at)),
      expiresAt: iso(Number(r.expires_at)),
      current: r.id === currentId,
    }));
  }

  /** Keeps the live sessions of a user under MAX_SESSIONS_PER_USER; old rows go after a day. */
  private async trim(userId: number): Promise<void> {
    const now = Date.now();
    await this.db
      .deleteFrom('sessions')
      .where('user_id', '=', userId)
      .where((eb) =>
        eb.or([eb('expires_at', '<', now - 86_400_000), eb('revoked_at', '<', now - 86_400_000)]),
      )
      .execute();
    const live = await this.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .orderBy('last_used_at', 'desc')
      .execute();
    for (const extra of live.slice(MAX_SESSIONS_PER_USER)) await this.revoke(userId, extra.id);
  }
}
