import { SetMetadata } from '@nestjs/common';

import type { Role } from '@realtime/contracts';

export const REQUIRED_ROLE = 'requiredRole';

/**
 * The least role that may call a route (or every route of a controller): `@Roles('operator')`
 * lets operators and admins in. Given several, the least of them is what is required. Routes
 * without it are open to every signed-in user (viewers included). RolesGuard enforces it.
 */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(REQUIRED_ROLE, roles);
