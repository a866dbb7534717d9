import { createHash, timingSafeEqual } from 'node:crypto';

import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { roleAtLeast } from '@realtime/contracts';

import { bearerToken } from '../auth/jwt-auth.guard';
import { forbidden } from '../auth/roles.guard';
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
    // TODO(API keys, issue 12): also an API key with metrics:read.
    const user = await this.tokens.verify(token);
    if (roleAtLeast(user.role, 'admin')) return true;
    throw forbidden('admin', 'Reading the metrics needs the scrape token (METRICS_TOKEN) or an admin');
  }
}
