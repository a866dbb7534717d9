import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

import { STREAM_COOKIE } from '@realtime/contracts';

import { IS_PUBLIC, STREAM_AUTH } from '../../common/public.decorator';
import { TokenService } from './token.service';

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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // the socket authenticates in its handshake
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: unknown }>();
    let token = bearerToken(req.headers.authorization);
    if (!token && req.method === 'GET' && this.reflector.getAllAndOverride<boolean>(STREAM_AUTH, targets)) {
      token = (req.cookies as Record<string, string> | undefined)?.[STREAM_COOKIE];
    }
    req.user = await this.tokens.verify(token);
    return true;
  }
}
