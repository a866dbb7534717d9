export interface LoginRequest {
  username: string;
  password: string;
}

export interface AuthUser {
  id: number;
  username: string;
}

/**
 * Roles, from most to least trusted; each may do everything the ones after it may do.
 * `admin`: users, API keys, broadcast notifications. `operator`: post orders, refresh the
 * dashboard, notify users. `viewer`: watch, receive notifications, chat.
 */
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` may do what `required` may do (admin ⊇ operator ⊇ viewer). */
export function roleAtLeast(role: Role, required: Role): boolean {
  const rank = ROLES.indexOf(role);
  return rank >= 0 && rank <= ROLES.indexOf(required);
}

/** The signed-in user as the API describes it (`user` of login, `GET /api/auth/me`). */
export interface SessionUser extends AuthUser {
  role: Role;
}

export interface LoginResponse {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: SessionUser;
}

/** The 403 body of a route that needs a higher role than the caller's. */
export interface ForbiddenError {
  statusCode: 403;
  message: string;
  requiredRole: Role;
}

/** Name of the HttpOnly cookie that authenticates browser EventSource streams. */
export const STREAM_COOKIE = 'rt_stream';
