import { createParamDecorator, ExecutionContext } from '@nestjs/common';

import type { AuthUser } from '@realtime/contracts';

export interface AuthenticatedRequest {
  user: AuthUser & { tokenExp: number };
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().user;
});
