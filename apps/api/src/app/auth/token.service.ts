import { Inject, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';

import type { SessionUser } from '@realtime/contracts';

import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { type AuthFailureReason, Metrics } from '../../infra/metrics/metrics';
import { SessionsService } from '../accounts/sessions.service';
import { UsersService } from '../users/users.service';

export const JWT_ISSUER = 'realtime-dashboard';
export const JWT_AUDIENCE = 'realtime-dashboard';
/** The only algorithm we sign with and the only one we accept (no `none`, no RS/HS confusion). */
export const JWT_ALGORITHMS = ['HS256'] as const;

interface AccessTokenPayload {
  sub: string;
  username: string;
  /** For clients to show; the server reads the current role from the database. */
  role?: string;
  /** The browser session the token was issued for, if any (revoking it refuses the token). */
  sid?: string;
  iat?: number;
  exp: number;
}

/** How far ahead of our clock another instance's may be: a token issued later than that is forged. */
export const CLOCK_SKEW_S = 30;

export interface VerifiedUser extends SessionUser {
  /** Expiry of the token, epoch seconds: streams and sockets close at this time. */
  tokenExp: number;
  /** The session the token belongs to, when it was issued for one. */
  sessionId?: string;
  /** Set when the caller is a machine with an API key (the user is the key's owner). */
  apiKey?: { id: number; scopes: readonly string[] };
}

/** One verification for REST, SSE and the socket handshake. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  async issue(user: SessionUser, sessionId?: string): Promise<{ accessToken: string; expiresIn: number }> {
    const accessToken = await this.jwt.signAsync(
      { username: user.username, role: user.role, ...(sessionId ? { sid: sessionId } : {}) },
      {
        subject: String(user.id),
        algorithm: 'HS256',
        expiresIn: this.config.jwtTtlS,
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      },
    );
    return { accessToken, expiresIn: this.config.jwtTtlS };
  }

  /** Returns the user or throws a 401 whose message says why (for HTTP and `connect_error`). */
  async verify(token: string | undefined | null): Promise<VerifiedUser> {
    if (!token) throw this.refuse('no_credentials', 'Missing access token');
    let payload: AccessTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload>(token, {
        algorithms: [...JWT_ALGORITHMS],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
    } catch (err) {
      if (err instanceof TokenExpiredError) throw this.refuse('expired', 'Access token expired');
      throw this.refuse('forged', 'Invalid access token');
    }
    // A token "issued" in the future was made with a stolen key or a wrong clock: refuse it,
    // or its lifetime would start when the forger wants.
    if (typeof payload.iat !== 'number') throw this.refuse('forged', 'Invalid access token');
    if (payload.iat > Date.now() / 1000 + CLOCK_SKEW_S)
      throw this.refuse('forged', 'Access token issued in the future');
    const id = Number(payload.sub);
    if (!Number.isSafeInteger(id)) throw this.refuse('forged', 'Invalid access token');
    const account = await this.users.account(id);
    if (!account) throw this.refuse('revoked', 'User no longer exists');
    if (account.disabled) throw this.refuse('revoked', 'This account is disabled');
    const user = account.user;
    const sessionId = typeof payload.sid === 'string' ? payload.sid : undefined;
    if (sessionId && !(await this.sessions.isActive(sessionId))) {
      throw this.refuse('revoked', 'This session was signed out: sign in again');
    }
    return { ...user, tokenExp: payload.exp, ...(sessionId ? { sessionId } : {}) };
  }

  /** The 401 for a refused credential, counted by reason. */
  private refuse(reason: AuthFailureReason, message: string): UnauthorizedException {
    this.metrics?.authFailure(reason);
    return new UnauthorizedException(message);
  }
}
