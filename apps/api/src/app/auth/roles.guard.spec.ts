import { ExecutionContext, ForbiddenException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import type { Role } from '@realtime/contracts';

import { Roles } from '../../common/roles.decorator';
import { RolesGuard, leastRole } from './roles.guard';

class Routes {
  @Roles('operator')
  operate() {
    return 'operate';
  }
  @Roles('admin')
  administer() {
    return 'administer';
  }
  open() {
    return 'open';
  }
}

function context(handler: () => void, role?: Role): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ user: role ? { id: 1, username: 'u', role } : undefined }) }),
  } as unknown as ExecutionContext;
}

describe('RolesGuard', () => {
  const guard = new RolesGuard(new Reflector());
  const routes = Routes.prototype;

  it.each([
    ['operate', 'admin', true],
    ['operate', 'operator', true],
    ['operate', 'viewer', false],
    ['administer', 'admin', true],
    ['administer', 'operator', false],
    ['administer', 'viewer', false],
    ['open', 'viewer', true],
  ] as const)('%s as %s → allowed: %s', (route, role, allowed) => {
    const run = () => guard.canActivate(context(routes[route], role));
    if (allowed) expect(run()).toBe(true);
    else expect(run).toThrow(ForbiddenException);
  });

  it('says which role is needed in the 403 body', () => {
    try {
      guard.canActivate(context(routes.administer, 'operator'));
      throw new Error('not refused');
    } catch (err) {
      expect((err as ForbiddenException).getResponse()).toMatchObject({
        message: expect.stringContaining('admin'),
        requiredRole: 'admin',
      });
    }
  });

  it('takes the least of several roles', () => {
    expect(leastRole(['admin', 'viewer', 'operator'])).toBe('viewer');
    expect(leastRole(['admin', 'operator'])).toBe('operator');
  });
});
