import { createHash, timingSafeEqual } from 'node:crypto';

import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';

import { API_KEY_HEADER, API_KEY_PREFIX, roleAtLeast } from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ApiKeysService } from '../accounts/api-keys.service';
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
    @Optional() private readonly apiKeys?: ApiKeysService,
  ) {
    this.scrapeToken = config.metricsToken ? digest(config.metricsToken) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const token = bearerToken(req.headers.authorization);
    if (token && this.scrapeToken && timingSafeEqual(digest(token), this.scrapeToken)) return true;
    // An API key with the metrics:read scope (issue 12).
    const headerKey = req.headers[API_KEY_HEADER.toLowerCase()];
    const key =
      typeof headerKey === 'string' ? headerKey : token?.startsWith(API_KEY_PREFIX) ? token : undefined;
    if (key !== undefined && this.apiKeys) {
      const principal = await this.apiKeys.verify(key);
      if (typeof principal === 'string') throw new UnauthorizedException(principal);
      if (principal.scopes.includes('metrics:read')) return true;
      throw new ForbiddenException({
        message: 'This API key lacks the scope metrics:read',
        requiredRole: 'admin',
        requiredScope: 'metrics:read',
      });
    }
    const user = await this.tokens.verify(token);
    if (roleAtLeast(user.role, 'admin')) return true;
    throw forbidden('admin', 'Reading the metrics needs the scrape token (METRICS_TOKEN) or an admin');
  }
}
