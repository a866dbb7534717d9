import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { ROLES, type Role, roleAtLeast } from '@realtime/contracts';

import { API_KEY_SCOPE, REQUIRED_ROLE } from '../../common/roles.decorator';
import type { VerifiedUser } from './token.service';

/** The 403 every refused role check answers: `{statusCode: 403, message, requiredRole}`. */
export function forbidden(requiredRole: Role, message?: string): ForbiddenException {
  return new ForbiddenException({
    message: message ?? `This needs the ${requiredRole} role (or a higher one)`,
    requiredRole,
  });
}

/** The least role of a `@Roles(...)` list (admin ⊇ operator ⊇ viewer). */
export function leastRole(roles: readonly Role[]): Role {
  return roles.reduce((least, r) => (ROLES.indexOf(r) > ROLES.indexOf(least) ? r : least));
}

/**
 * Global guard, after JwtAuthGuard: a route marked `@Roles(...)` needs the caller's role to be
 * at least that. The role comes from the database (through UsersService's short cache that
 * role changes clear), not from the token, so a demotion takes effect at once.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const user = context.switchToHttp().getRequest<{ user?: VerifiedUser }>().user;
    if (user?.apiKey) {
      const scope = this.reflector.getAllAndOverride<string | undefined>(API_KEY_SCOPE, [
        context.getHandler(),
        context.getClass(),
      ]);
      const requiredRole = roles?.length ? leastRole(roles) : 'viewer';
      if (!scope) {
        throw new ForbiddenException({
          message: 'API keys cannot call this route: sign in as a user',
          requiredRole,
        });
      }
      if (!user.apiKey.scopes.includes(scope)) {
        throw new ForbiddenException({
          message: `This API key lacks the scope ${scope}`,
          requiredRole,
          requiredScope: scope,
        });
      }
    }
    if (!roles?.length) return true;
    const required = leastRole(roles);
    if (!user) throw forbidden(required);
    if (!roleAtLeast(user.role, required)) throw forbidden(required);
    return true;
  }
}
