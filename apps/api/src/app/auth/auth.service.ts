import { Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import bcrypt from 'bcryptjs';

import type { LoginRequest, LoginResponse, Role } from '@realtime/contracts';

import { Metrics } from '../../infra/metrics/metrics';
import { UsersService } from '../users/users.service';
import { TokenService } from './token.service';

// Compared against when the user does not exist, so a wrong username takes as long as a
// wrong password and does not reveal which usernames exist.
const DUMMY_HASH = bcrypt.hashSync('not-a-password', 10);

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  async login({ username, password }: LoginRequest): Promise<LoginResponse> {
    const row = await this.users.findByUsername(username);
    const ok = await this.users.verifyPassword(row?.password_hash ?? DUMMY_HASH, password);
    if (!row || !ok) {
      this.metrics?.authFailure('bad_login');
      throw new UnauthorizedException('Wrong username or password');
    }
    if (row.disabled_at !== null) {
      this.metrics?.authFailure('bad_login');
      throw new UnauthorizedException('This account is disabled');
    }
    const user = { id: Number(row.id), username: row.username, role: row.role as Role };
    return { ...(await this.tokens.issue(user)), user };
  }
}
