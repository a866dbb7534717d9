import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Put,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { CookieOptions, Request, Response } from 'express';

import {
  type ChangePasswordRequest,
  type LoginRequest,
  type LoginResponse,
  REFRESH_COOKIE,
  STREAM_COOKIE,
  type SessionInfo,
  type SessionUser,
} from '@realtime/contracts';
import { ChangePasswordRequestSchema, LoginRequestSchema } from '@realtime/contracts/schemas';

import { CurrentUser } from '../../common/current-user.decorator';
import { Public } from '../../common/public.decorator';
import { ZodBody } from '../../common/zod-body';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AccountsService } from '../accounts/accounts.service';
import { SessionsService } from '../accounts/sessions.service';
import { AuthService } from './auth.service';
import { bearerToken } from './jwt-auth.guard';
import { TokenService, type VerifiedUser } from './token.service';

/** The refresh cookie goes to the auth routes only: no other request ever carries it. */
const REFRESH_PATH = '/api/auth';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly accounts: AccountsService,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private cookie(path: string, maxAgeMs: number): CookieOptions {
    return {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.nodeEnv === 'production',
      path,
      maxAge: maxAgeMs,
    };
  }

  /** Sets the access token as the stream cookie and, when given, the next refresh token. */
  private setCookies(res: Response, result: LoginResponse & { refreshToken?: string }): LoginResponse {
    res.cookie(STREAM_COOKIE, result.accessToken, this.cookie('/api', result.expiresIn * 1000));
    if (result.refreshToken) {
      res.cookie(REFRESH_COOKIE, result.refreshToken, this.cookie(REFRESH_PATH, this.config.sessionTtlMs));
    }
    return { accessToken: result.accessToken, expiresIn: result.expiresIn, user: result.user };
  }

  private clearCookies(res: Response): void {
    res.clearCookie(STREAM_COOKIE, { path: '/api' });
    res.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH });
  }

  /**
   * Returns the access token for `Authorization: Bearer`, sets it also as an HttpOnly,
   * SameSite=Strict cookie scoped to `/api` that only the GET stream endpoints accept, and
   * opens a session: its rotating refresh token in an HttpOnly cookie scoped to `/api/auth`.
   */
  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  async login(
    @ZodBody(LoginRequestSchema) body: LoginRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponse> {
    return this.setCookies(res, await this.auth.login(body, req.headers['user-agent'] ?? 'unknown device'));
  }

  /**
   * A new access token from the refresh cookie; the cookie rotates. A refresh token that was
   * already rotated away revokes the whole session (401).
   */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<LoginResponse> {
    const token = (req.cookies as Record<string, string> | undefined)?.[REFRESH_COOKIE];
    try {
      return this.setCookies(res, await this.auth.refresh(token));
    } catch (err) {
      this.clearCookies(res);
      throw err;
    }
  }

  /**
   * Revokes this session (found from the refresh cookie, or the bearer token's session): its
   * access tokens are refused from now on and its streams and sockets close. Always 204.
   */
  @Public()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    this.clearCookies(res);
    const refresh = (req.cookies as Record<string, string> | undefined)?.[REFRESH_COOKIE];
    const fromBearer = await this.tokens
      .verify(bearerToken(req.headers.authorization))
      .catch(() => undefined);
    if (fromBearer?.sessionId) {
      await this.sessions.revoke(fromBearer.id, fromBearer.sessionId);
    } else if (refresh) {
      const sessionId = refresh.split('.')[0];
      const owner = await this.sessions.ownerOf(sessionId, refresh);
      if (owner !== undefined) await this.sessions.revoke(owner, sessionId);
    }
  }

  /** "Sign out everywhere": every session of the user, this one included. */
  @ApiBearerAuth()
  @Post('logout-all')
  @HttpCode(200)
  async logoutAll(
    @CurrentUser() user: VerifiedUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ revoked: number }> {
    this.clearCookies(res);
    return { revoked: await this.sessions.revoke(user.id) };
  }

  @ApiBearerAuth()
  @Get('sessions')
  listSessions(@CurrentUser() user: VerifiedUser): Promise<SessionInfo[]> {
    return this.sessions.list(user.id, user.sessionId);
  }

  /** Signs one of the user's own sessions out; another user's is a 404. */
  @ApiBearerAuth()
  @Delete('sessions/:id')
  @HttpCode(204)
  async revokeSession(@CurrentUser() user: VerifiedUser, @Param('id') id: string): Promise<void> {
    const mine = await this.sessions.list(user.id);
    if (!mine.some((s) => s.id === id)) throw new NotFoundException(`No session ${id}`);
    await this.sessions.revoke(user.id, id);
  }

  /** Changes the caller's own password; their other sessions are signed out. */
  @ApiBearerAuth()
  @Put('password')
  @HttpCode(204)
  async changePassword(
    @CurrentUser() user: VerifiedUser,
    @ZodBody(ChangePasswordRequestSchema) body: ChangePasswordRequest,
  ): Promise<void> {
    await this.accounts.changeOwnPassword(user.id, body.currentPassword, body.newPassword, user.sessionId);
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentUser() user: SessionUser): SessionUser {
    return { id: user.id, username: user.username, role: user.role };
  }
}
