import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';

import type { AuthUser } from '@realtime/contracts';

import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { UsersService } from '../users/users.service';

export const JWT_ISSUER = 'realtime-dashboard';
export const JWT_AUDIENCE = 'realtime-dashboard';
/** The only algorithm we sign with and the only one we accept (no `none`, no RS/HS confusion). */
export const JWT_ALGORITHMS = ['HS256'] as const;

interface AccessTokenPayload {
  sub: string;
  username: string;
  iat?: number;
  exp: number;
}

/** How far ahead of our clock another instance's may be: a token issued later than that is forged. */
export const CLOCK_SKEW_S = 30;

export interface VerifiedUser extends AuthUser {
  /** Expiry of the token, epoch seconds: streams and sockets close at this time. */
  tokenExp: number;
}

/** One verification for REST, SSE and the socket handshake. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(user: AuthUser): Promise<{ accessToken: string; expiresIn: number }> {
    const accessToken = await this.jwt.signAsync(
      { username: user.username },
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
    if (!token) throw new UnauthorizedException('Missing access token');
    let payload: AccessTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload>(token, {
        algorithms: [...JWT_ALGORITHMS],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
    } catch (err) {
      if (err instanceof TokenExpiredError) throw new UnauthorizedException('Access token expired');
      throw new UnauthorizedException('Invalid access token');
    }
    // A token "issued" in the future was made with a stolen key or a wrong clock: refuse it,
    // or its lifetime would start when the forger wants.
    if (typeof payload.iat !== 'number') throw new UnauthorizedException('Invalid access token');
    if (payload.iat > Date.now() / 1000 + CLOCK_SKEW_S)
      throw new UnauthorizedException('Access token issued in the future');
    const id = Number(payload.sub);
    if (!Number.isSafeInteger(id)) throw new UnauthorizedException('Invalid access token');
    const user = await this.users.findById(id);
    if (!user) throw new UnauthorizedException('User no longer exists');
    return { ...user, tokenExp: payload.exp };
  }
}
