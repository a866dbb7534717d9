import { createParamDecorator, ExecutionContext } from '@nestjs/common';

import type { SessionUser } from '@realtime/contracts';

export interface AuthenticatedRequest {
  user: SessionUser & { tokenExp: number; sessionId?: string };
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().user;
});
