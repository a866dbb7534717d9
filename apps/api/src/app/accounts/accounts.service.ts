import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type { Selectable } from 'kysely';

import {
  type CreateUserRequest,
  type Role,
  type UpdateUserRequest,
  type UserAccount,
  passwordProblem,
} from '@realtime/contracts';

import { DATABASE } from '../../infra/database/database.module';
import { type DatabaseHandle, isUniqueViolation } from '../../infra/database/database.provider';
import type { UsersTable } from '../../infra/database/schema';
import { UsersService } from '../users/users.service';
import { AccountEvents } from './account-events';
import { SessionsService } from './sessions.service';

const iso = (ms: number) => new Date(ms).toISOString();

export function toAccount(
  row: Pick<Selectable<UsersTable>, 'id' | 'username' | 'role' | 'created_at' | 'disabled_at'>,
): UserAccount {
  return {
    id: Number(row.id),
    username: row.username,
    role: row.role as Role,
    createdAt: iso(Number(row.created_at)),
    disabledAt: row.disabled_at === null ? null : iso(Number(row.disabled_at)),
  };
}

/** Why a change is refused: it would leave no enabled admin. */
export class LastAdminError extends Error {}

/**
 * What admins (REST) and operators of the installation (the CLI) do to accounts. Every change
 * that must reach open connections and caches is published as an account event.
 */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly events: AccountEvents,
  ) {}

  private get db() {
    return this.database.db;
  }

  async list(): Promise<UserAccount[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'role', 'created_at', 'disabled_at'])
      .orderBy('id')
      .execute();
    return rows.map(toAccount);
  }

  async create(request: CreateUserRequest): Promise<UserAccount> {
    const problem = passwordProblem(request.password, request.username);
    if (problem) throw new BadRequestException(problem);
    try {
      const user = await this.users.create(request.username, request.password, request.role);
      return this.get(user.id);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictException(`username: "${request.username}" is taken`);
      throw err;
    }
  }

  async get(id: number): Promise<UserAccount> {
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'username', 'role', 'created_at', 'disabled_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFoundException(`No user ${id}`);
    return toAccount(row);
  }

  /**
   * Role, disabled and password, in one transaction. Refused when the change would leave no
   * enabled admin (the last admin cannot disable or demote themselves, nor be by another).
   */
  async update(id: number, change: UpdateUserRequest): Promise<UserAccount> {
    const before = await this.get(id);
    if (change.password !== undefined) {
      const problem = passwordProblem(change.password, before.username);
      if (problem) throw new BadRequestException(problem);
    }
    const losesAdmin =
      before.role === 'admin' &&
      before.disabledAt === null &&
      ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
    await this.db.transaction().execute(async (trx) => {
      if (losesAdmin) {
        const admins = await trx
          .selectFrom('users')
          .select('id')
          .where('role', '=', 'admin')
          .where('disabled_at', 'is', null)
          .execute();
        if (admins.length <= 1) {
          throw new ConflictException(
            'This is the last enabled admin: make another user an admin before demoting or disabling this one',
          );
        }
      }
      const set: Partial<{ role: string; disabled_at: number | null; password_hash: string }> = {};
      if (change.role !== undefined) set.role = change.role;
      if (change.disabled !== undefined)
        set.disabled_at = change.disabled
          ? before.disabledAt
            ? Date.parse(before.disabledAt)
            : Date.now()
          : null;
      if (change.password !== undefined) set.password_hash = await this.users.hashPassword(change.password);
      await trx.updateTable('users').set(set).where('id', '=', id).execute();
    });
    this.users.forget(id);
    if (change.disabled === true) {
      await this.sessions.revoke(id);
      await this.events.publish({ kind: 'user-disabled', userId: id });
    } else {
      await this.events.publish({ kind: 'user-changed', userId: id });
    }
    // A reset password ends the user's sessions: whoever knew the old one is out.
    if (change.password !== undefined && change.disabled !== true) await this.sessions.revoke(id);
    return this.get(id);
  }

  /** Every user changes their own password with the current one; their other sessions end. */
  async changeOwnPassword(
    userId: number,
    currentPassword: string,
    newPassword: string,
    keepSessionId?: string,
  ): Promise<void> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (!row || !(await this.users.verifyPassword(row.password_hash, currentPassword))) {
      throw new UnauthorizedException('currentPassword: wrong password');
    }
    const problem = passwordProblem(newPassword, row.username);
    if (problem) throw new BadRequestException(problem);
    await this.db
      .updateTable('users')
      .set({ password_hash: await this.users.hashPassword(newPassword) })
      .where('id', '=', userId)
      .execute();
    const others = await this.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
    for (const s of others) if (s.id !== keepSessionId) await this.sessions.revoke(userId, s.id);
  }

  /**
   * ADMIN_USERNAME / ADMIN_PASSWORD on a start where no enabled admin exists: creates that
   * admin, or makes an existing user of that name the admin with that password, enabled.
   * Returns what it did, for the log (never the password).
   */
  async bootstrapAdmin(admin: { username: string; password: string } | undefined): Promise<string | null> {
    if (!admin) return null;
    const existing = await this.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (existing) return null;
    const row = await this.users.findByUsername(admin.username);
    if (row) {
      await this.db
        .updateTable('users')
        .set({
          role: 'admin',
          disabled_at: null,
          password_hash: await this.users.hashPassword(admin.password),
        })
        .where('id', '=', Number(row.id))
        .execute();
      this.users.forget(Number(row.id));
      return `made the existing user ${admin.username} the admin (ADMIN_USERNAME)`;
    }
    try {
      await this.users.create(admin.username, admin.password, 'admin');
    } catch (err) {
      if (isUniqueViolation(err)) return null; // another instance created it first
      throw err;
    }
    return `created the admin ${admin.username} (ADMIN_USERNAME)`;
  }
}
