import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

import { API_KEY_HEADER, API_KEY_PREFIX, STREAM_COOKIE } from '@realtime/contracts';

import { IS_PUBLIC, STREAM_AUTH } from '../../common/public.decorator';
import { ApiKeysService } from '../accounts/api-keys.service';
import { TokenService, type VerifiedUser } from './token.service';

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Global guard: every HTTP route needs a valid access token unless marked `@Public()`. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // the socket authenticates in its handshake
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: unknown }>();
    let token = bearerToken(req.headers.authorization);
    const headerKey = req.headers[API_KEY_HEADER.toLowerCase()];
    const key =
      typeof headerKey === 'string' ? headerKey : token?.startsWith(API_KEY_PREFIX) ? token : undefined;
    if (key !== undefined) {
      req.user = await this.keyPrincipal(key);
      return true;
    }
    if (!token && req.method === 'GET' && this.reflector.getAllAndOverride<boolean>(STREAM_AUTH, targets)) {
      token = (req.cookies as Record<string, string> | undefined)?.[STREAM_COOKIE];
    }
    req.user = await this.tokens.verify(token);
    return true;
  }

  /** A machine client: its key's owner, marked with the key (RolesGuard then checks its scopes). */
  private async keyPrincipal(key: string): Promise<VerifiedUser> {
    const principal = await this.apiKeys.verify(key);
    if (typeof principal === 'string') throw new UnauthorizedException(principal);
    return {
      ...principal.owner,
      tokenExp: Math.floor(Date.now() / 1000) + 60,
      apiKey: { id: principal.keyId, scopes: principal.scopes },
    };
  }
}
