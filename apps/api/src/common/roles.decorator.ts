import { SetMetadata } from '@nestjs/common';

import type { ApiKeyScope, Role } from '@realtime/contracts';

export const REQUIRED_ROLE = 'requiredRole';

/**
 * The least role that may call a route (or every route of a controller): `@Roles('operator')`
 * lets operators and admins in. Given several, the least of them is what is required. Routes
 * without it are open to every signed-in user (viewers included). RolesGuard enforces it.
 */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(REQUIRED_ROLE, roles);

export const API_KEY_SCOPE = 'apiKeyScope';

/**
 * The API-key scope that opens a route to machine clients. A route without it is closed to
 * every API key, whatever its scopes (admin routes, streams, sessions).
 */
export const Scope = (scope: ApiKeyScope) => SetMetadata(API_KEY_SCOPE, scope);
