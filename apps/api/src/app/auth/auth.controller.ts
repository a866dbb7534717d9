import { Controller, Get, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';

import { type LoginRequest, type LoginResponse, STREAM_COOKIE, type SessionUser } from '@realtime/contracts';
import { LoginRequestSchema } from '@realtime/contracts/schemas';

import { CurrentUser } from '../../common/current-user.decorator';
import { Public } from '../../common/public.decorator';
import { ZodBody } from '../../common/zod-body';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AuthService } from './auth.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Returns the access token for `Authorization: Bearer`, and also sets it as an HttpOnly,
   * SameSite=Strict cookie scoped to `/api` that only the GET stream endpoints accept.
   */
  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  async login(
    @ZodBody(LoginRequestSchema) body: LoginRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponse> {
    const result = await this.auth.login(body);
    res.cookie(STREAM_COOKIE, result.accessToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.nodeEnv === 'production',
      path: '/api',
      maxAge: result.expiresIn * 1000,
    });
    return result;
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  logout(@Res({ passthrough: true }) res: Response): void {
    res.clearCookie(STREAM_COOKIE, { path: '/api' });
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentUser() user: SessionUser): SessionUser {
    return { id: user.id, username: user.username, role: user.role };
  }
}
