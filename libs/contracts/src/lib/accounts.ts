import type { Role } from './auth';

/** The password rule, said in every refusal: 10 to 256 characters, not the username. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
export const PASSWORD_RULE = `at least ${PASSWORD_MIN_LENGTH} characters (at most ${PASSWORD_MAX_LENGTH}), and not the username`;

/** Why `password` is refused for `username`, or null when it is fine. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    return `password: must be ${PASSWORD_RULE}`;
  }
  if (password.trim().toLowerCase() === username.trim().toLowerCase()) {
    return `password: must be ${PASSWORD_RULE}`;
  }
  return null;
}

/** Usernames: 1–64 letters, digits, `.`, `_` or `-`. */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const USERNAME_RULE = '1 to 64 letters, digits, ".", "_" or "-"';

/** A user as admins see it (`GET /api/users`). */
export interface UserAccount {
  id: number;
  username: string;
  role: Role;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601 while disabled, else null. */
  disabledAt: string | null;
}

/** `POST /api/users` (admin). */
export interface CreateUserRequest {
  username: string;
  password: string;
  role: Role;
}

/** `PATCH /api/users/:id` (admin): any of a new role, disabled or enabled, a new password. */
export interface UpdateUserRequest {
  role?: Role;
  disabled?: boolean;
  password?: string;
}

/** `PUT /api/auth/password`: every user changes their own. */
export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

/** One signed-in browser of the user (`GET /api/auth/sessions`). */
export interface SessionInfo {
  id: string;
  device: string;
  /** ISO 8601. */
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  /** The session this request comes from. */
  current: boolean;
}

/** Name of the HttpOnly refresh-token cookie, sent only to `/api/auth`. */
export const REFRESH_COOKIE = 'rt_refresh';

/** What an API key may do. `annotations:write` is for chart annotations (issue 18). */
export const API_KEY_SCOPES = [
  'orders:write',
  'notifications:write',
  'metrics:read',
  'annotations:write',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** `POST /api/api-keys` (admin). */
export interface CreateApiKeyRequest {
  name: string;
  scopes: ApiKeyScope[];
  /** ISO 8601; absent or null: it does not expire. */
  expiresAt?: string | null;
}

export interface ApiKeyInfo {
  id: number;
  name: string;
  /** The key's first characters, to tell keys apart; never the key. */
  prefix: string;
  scopes: ApiKeyScope[];
  /** The admin who created it: notifications sent with it name this user as their sender. */
  owner: { id: number; username: string };
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The answer to `POST /api/api-keys`: the key itself, shown this once. */
export interface CreatedApiKey extends ApiKeyInfo {
  key: string;
}

/** Header that carries an API key (or send it as `Authorization: Bearer <key>`). */
export const API_KEY_HEADER = 'X-API-Key';
/** Every API key starts with this, so that a bearer credential is told apart from a JWT. */
export const API_KEY_PREFIX = 'rtk_';
