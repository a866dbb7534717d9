import { Inject, Injectable } from '@nestjs/common';
import bcrypt from 'bcryptjs';

import type { AuthUser } from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, isUniqueViolation } from '../../infra/database/database.provider';

export const DEMO_USERS = ['alice', 'bob', 'carol'] as const;
export const DEMO_PASSWORD = 'demo-password';
const BCRYPT_ROUNDS = 10;

@Injectable()
export class UsersService {
  // Every authenticated request checks that its user still exists; a short cache keeps
  // that off the database for the common case without letting a deleted user linger.
  private readonly cache = new Map<number, { user: AuthUser | null; until: number }>();
  private static readonly CACHE_MS = 5000;

  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db() {
    return this.database.db;
  }

  async findById(id: number): Promise<AuthUser | null> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.user;
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('id', '=', id)
      .executeTakeFirst();
    const user = row ? { id: Number(row.id), username: row.username } : null;
    this.cache.set(id, { user, until: Date.now() + UsersService.CACHE_MS });
    return user;
  }

  async findByUsername(username: string) {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  /** Resolves a notification recipient given as an id or a username. */
  async resolve(idOrName: number | string): Promise<AuthUser | null> {
    if (typeof idOrName === 'number' || /^\d+$/.test(idOrName)) return this.findById(Number(idOrName));
    const row = await this.findByUsername(idOrName);
    return row ? { id: Number(row.id), username: row.username } : null;
  }

  async list(): Promise<AuthUser[]> {
    const rows = await this.db.selectFrom('users').select(['id', 'username']).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), username: r.username }));
  }

  async create(username: string, password: string): Promise<AuthUser> {
    const password_hash = await bcrypt.hash(password, BCRYPT_ROUNDS);
    const row = await this.db
      .insertInto('users')
      .values({ username, password_hash, created_at: Date.now() })
      .returning(['id', 'username'])
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), username: row.username };
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
        await this.create(name, DEMO_PASSWORD);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err; // another instance seeded it first
      }
    }
  }

  async verifyPassword(hash: string, password: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }
}
