import { Inject, Injectable } from '@nestjs/common';
import bcrypt from 'bcryptjs';

import type { AuthUser, Role, SessionUser } from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, isUniqueViolation } from '../../infra/database/database.provider';

export const DEMO_USERS = ['alice', 'bob', 'carol'] as const;
/** One role each, so that the demo shows every role: alice=admin, bob=operator, carol=viewer. */
export const DEMO_ROLES: Record<(typeof DEMO_USERS)[number], Role> = {
  alice: 'admin',
  bob: 'operator',
  carol: 'viewer',
};
export const DEMO_PASSWORD = 'demo-password';
const BCRYPT_ROUNDS = 10;

@Injectable()
export class UsersService {
  // Every authenticated request checks that its user still exists; a short cache keeps
  // that off the database for the common case without letting a deleted user linger.
  // A change of role or a disable clears the entry at once on every instance (AccountEvents).
  private readonly cache = new Map<
    number,
    { account: { user: SessionUser; disabled: boolean } | null; until: number }
  >();
  private static readonly CACHE_MS = 5000;

  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  /** The user if it exists and is enabled, with its current role. */
  async findById(id: number): Promise<SessionUser | null> {
    const account = await this.account(id);
    return account && !account.disabled ? account.user : null;
  }

  /** The user as every authenticated request checks it: whether it exists, its role, if disabled. */
  async account(id: number): Promise<{ user: SessionUser; disabled: boolean } | null> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.account;
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'role', 'disabled_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    const account = row
      ? {
          user: { id: Number(row.id), username: row.username, role: row.role as Role },
          disabled: row.disabled_at !== null,
        }
      : null;
    this.cache.set(id, { account, until: Date.now() + UsersService.CACHE_MS });
    return account;
  }

  /** Drops the cached entry, so that the next check reads the database. */
  forget(id: number): void {
    this.cache.delete(id);
  }

  async findByUsername(username: string) {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  /** Resolves a notification recipient given as an id or a username. */
  async resolve(idOrName: number | string): Promise<AuthUser | null> {
    if (typeof idOrName === 'number' || /^\d+$/.test(idOrName)) return this.findById(Number(idOrName));
    const row = await this.findByUsername(idOrName);
    return row && row.disabled_at === null ? { id: Number(row.id), username: row.username } : null;
  }

  /** Ids of every enabled user: the recipients of a broadcast. */
  async enabledIds(): Promise<number[]> {
    const rows = await this.db.selectFrom('users').select('id').where('disabled_at', 'is', null).execute();
    return rows.map((r) => Number(r.id));
  }

  async list(): Promise<AuthUser[]> {
    const rows = await this.db.selectFrom('users').select(['id', 'username']).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), username: r.username }));
  }

  async create(username: string, password: string, role: Role = 'viewer'): Promise<SessionUser> {
    const password_hash = await bcrypt.hash(password, BCRYPT_ROUNDS);
    const row = await this.db
      .insertInto('users')
      .values({ username, password_hash, role, created_at: Date.now(), disabled_at: null })
      .returning(['id', 'username', 'role'])
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), username: row.username, role: row.role as Role };
  }

  async remove(id: number): Promise<void> {
    await this.db.deleteFrom('users').where('id', '=', id).execute();
    this.cache.delete(id);
  }

  /** Creates the demo users that are missing; safe to run on every start and on every instance. */
  async seedDemoUsers(): Promise<void> {
    for (const name of DEMO_USERS) {
      if (await this.findByUsername(name)) continue;
      try {
        await this.create(name, DEMO_PASSWORD, DEMO_ROLES[name]);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err; // another instance seeded it first
      }
    }
  }

  hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, BCRYPT_ROUNDS);
  }

  async verifyPassword(hash: string, password: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }
}
