import { createHash, timingSafeEqual } from 'node:crypto';

import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { bearerToken } from '../auth/jwt-auth.guard';
import { TokenService } from '../auth/token.service';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Who may read the metrics: a scraper with `Authorization: Bearer <METRICS_TOKEN>`, or a
 * signed-in admin. Anything else is a 401 (no or a bad credential) or a 403 (a user who is
 * not an admin). The token is compared in constant time.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly scrapeToken: Buffer | null;

  constructor(
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.scrapeToken = config.metricsToken ? digest(config.metricsToken) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const token = bearerToken(req.headers.authorization);
    if (token && this.scrapeToken && timingSafeEqual(digest(token), this.scrapeToken)) return true;
    // ROLE: admin (or an API key with metrics:read once API keys land).
    const user = (await this.tokens.verify(token)) as { role?: string };
    if (user.role === 'admin') return true;
    throw new ForbiddenException({
      statusCode: 403,
      message: 'Reading the metrics needs the scrape token (METRICS_TOKEN) or an admin',
      requiredRole: 'admin',
    });
  }
}
