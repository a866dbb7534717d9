import { Injectable, Optional, UnauthorizedException } from '@nestjs/common';

import type { LoginRequest, LoginResponse, Role } from '@realtime/contracts';

import { Metrics } from '../../infra/metrics/metrics';
import { SessionsService } from '../accounts/sessions.service';
import { UsersService } from '../users/users.service';
import { TokenService } from './token.service';

// Compared against when the user does not exist, so a wrong username takes as long as a
// wrong password and does not reveal which usernames exist: a hash of the same cost (10 rounds)
// of a random string that was thrown away. Written out rather than hashed at start-up, where
// `hashSync` held the event loop ~100 ms, on every restart (docs/benchmarks.md, restart storm).
const DUMMY_HASH = '$2b$10$Kwo6jjNx/WAm//2YKbM.Le3w4bAr.XbtMARDhSnqdRkRLpRZy9nrC';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  /** Checks the password and opens a browser session: the access token and the first refresh token. */
  async login(
    { username, password }: LoginRequest,
    device = 'unknown device',
  ): Promise<LoginResponse & { refreshToken: string }> {
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
    const { sessionId, refreshToken } = await this.sessions.create(user.id, device);
    return { ...(await this.tokens.issue(user, sessionId)), user, refreshToken };
  }

  /**
   * Renews with the refresh token: a new access token, and the next refresh token (none inside
   * the rotation grace window: the cookie already holds it).
   */
  async refresh(refreshToken: string | undefined): Promise<LoginResponse & { refreshToken?: string }> {
    const outcome = await this.sessions.rotate(refreshToken);
    const user = await this.users.findById(outcome.userId);
    if (!user) {
      await this.sessions.revoke(outcome.userId, outcome.sessionId);
      throw new UnauthorizedException('This account is disabled');
    }
    return {
      ...(await this.tokens.issue(user, outcome.sessionId)),
      user,
      ...(outcome.refreshToken ? { refreshToken: outcome.refreshToken } : {}),
    };
  }
}
