import { createHash, randomBytes } from 'node:crypto';

import { BadRequestException, Inject, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import type { Selectable } from 'kysely';

import {
  API_KEY_PREFIX,
  API_KEY_SCOPES,
  type ApiKeyInfo,
  type ApiKeyScope,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  type SessionUser,
} from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import type { ApiKeysTable } from '../../infra/database/schema';
import { UsersService } from '../users/users.service';
import { AccountEvents } from './account-events';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
/** Keys per installation that are not revoked: a bound on what admins can pile up. */
export const MAX_API_KEYS = 200;
/** `last_used_at` is written at most this often per key: not on every request. */
const LAST_USED_WRITE_MS = 60_000;

/** A machine client authenticated by an API key: who owns it and what it may do. */
export interface ApiKeyPrincipal {
  keyId: number;
  scopes: ApiKeyScope[];
  /** The admin who created the key: notifications sent with it name this user. */
  owner: SessionUser;
}

/**
 * API keys for machines: `rtk_<random>`, shown once, stored as a SHA-256 hash (they are long
 * and random, so a slow hash adds nothing), with scopes, an optional expiry and the time of
 * their last use.
 */
@Injectable()
export class ApiKeysService implements OnModuleInit {
  private readonly cache = new Map<string, { principal: ApiKeyPrincipal | string; until: number }>();
  private readonly lastWritten = new Map<number, number>();
  private static readonly CACHE_MS = 5000;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly users: UsersService,
    private readonly events: AccountEvents,
  ) {}

  private get db() {
    return this.database.db;
  }

  onModuleInit() {
    this.events.events$.subscribe((e) => {
      if (e.kind === 'api-key-revoked' || e.kind === 'user-disabled' || e.kind === 'user-changed') {
        this.cache.clear();
      }
    });
  }

  async create(owner: SessionUser, request: CreateApiKeyRequest): Promise<CreatedApiKey> {
    const expiresAt = request.expiresAt ? Date.parse(request.expiresAt) : null;
    if (expiresAt !== null && expiresAt <= Date.now()) {
      throw new BadRequestException('expiresAt: must be in the future');
    }
    const live = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(live?.n ?? 0) >= MAX_API_KEYS) {
      throw new BadRequestException(`At most ${MAX_API_KEYS} API keys: revoke one first`);
    }
    const key = `${API_KEY_PREFIX}${randomBytes(30).toString('base64url')}`;
    const scopes = [...new Set(request.scopes)].sort();
    const row = await this.db
      .insertInto('api_keys')
      .values({
        name: request.name.trim(),
        key_hash: sha256(key),
        prefix: key.slice(0, API_KEY_PREFIX.length + 6),
        scopes: scopes.join(' '),
        owner_id: owner.id,
        created_at: Date.now(),
        expires_at: expiresAt,
        last_used_at: null,
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...(await this.toInfo(row)), key };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('id', 'desc').execute();
    return Promise.all(rows.map((r) => this.toInfo(r)));
  }

  async revoke(id: number): Promise<ApiKeyInfo> {
    await this.db
      .updateTable('api_keys')
      .set({ revoked_at: Date.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundException(`No API key ${id}`);
    this.cache.clear();
    await this.events.publish({ kind: 'api-key-revoked', keyId: id });
    return this.toInfo(row);
  }

  /** The key's principal, or a string that says why it is refused. */
  async verify(key: string): Promise<ApiKeyPrincipal | string> {
    const hash = sha256(key);
    const hit = this.cache.get(hash);
    const now = Date.now();
    let principal: ApiKeyPrincipal | string;
    if (hit && hit.until > now) {
      principal = hit.principal;
    } else {
      principal = await this.load(hash);
      this.cache.set(hash, { principal, until: now + ApiKeysService.CACHE_MS });
    }
    if (typeof principal !== 'string') {
      const expires = this.expiries.get(principal.keyId);
      if (expires !== undefined && expires !== null && expires <= now) return 'This API key has expired';
      void this.touch(principal.keyId, now);
    }
    return principal;
  }

  private readonly expiries = new Map<number, number | null>();

  private async load(hash: string): Promise<ApiKeyPrincipal | string> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return 'Invalid API key';
    if (row.revoked_at !== null) return 'This API key was revoked';
    if (row.expires_at !== null && Number(row.expires_at) <= Date.now()) return 'This API key has expired';
    const owner = await this.users.findById(Number(row.owner_id));
    if (!owner) return "This API key's owner is disabled or gone";
    this.expiries.set(Number(row.id), row.expires_at === null ? null : Number(row.expires_at));
    return { keyId: Number(row.id), scopes: parseScopes(row.scopes), owner };
  }

  private async touch(keyId: number, now: number): Promise<void> {
    if (now - (this.lastWritten.get(keyId) ?? 0) < LAST_USED_WRITE_MS) return;
    this.lastWritten.set(keyId, now);
    try {
      await this.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', keyId).execute();
    } catch {
      // only bookkeeping: the request goes on
    }
  }

  private async toInfo(row: Selectable<ApiKeysTable>): Promise<ApiKeyInfo> {
    const owner = await this.db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('id', '=', Number(row.owner_id))
      .executeTakeFirst();
    return {
      id: Number(row.id),
      name: row.name,
      prefix: row.prefix,
      scopes: parseScopes(row.scopes),
      owner: { id: Number(row.owner_id), username: owner?.username ?? '' },
      createdAt: iso(Number(row.created_at)) as string,
      expiresAt: iso(row.expires_at),
      lastUsedAt: iso(row.last_used_at),
      revokedAt: iso(row.revoked_at),
    };
  }
}

function parseScopes(text: string): ApiKeyScope[] {
  return text.split(' ').filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s));
}
