import type { Role } from './auth';

/** The JSON body of every 4xx/5xx HTTP answer. */
export interface ApiError {
  statusCode: number;
  message: string;
  error?: string;
  /** Machine-readable reason where one helps (the chat's codes: `NAME_TAKEN`, `LIMIT_REACHED`, …). */
  code?: string;
  retryAfterMs?: number;
  limit?: number;
  /** On a 403: the least role that may do this. */
  requiredRole?: Role;
  /** On a 403 to an API key: the scope the route needs. */
  requiredScope?: string;
}

/** Codes carried by socket acknowledgements and `error` events. */
export type ChatErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_MEMBER'
  | 'TOO_LONG'
  | 'RATE_LIMITED'
  | 'UNKNOWN_EVENT'
  | 'UNAUTHORIZED'
  /** The caller's role (or credential kind) may not do this; `requiredRole` says what may. */
  | 'FORBIDDEN'
  /** In a `connect_error`: the user has MAX_CONNECTIONS_PER_USER sockets open already. */
  | 'TOO_MANY_CONNECTIONS'
  /** The server is going down; the socket closes next and the client reconnects. */
  | 'SHUTTING_DOWN'
  | 'INTERNAL'
  /** Unknown room, or a private room the user is not a member of (its existence is not revealed). */
  | 'NOT_FOUND'
  /** The user's role or relation to the room does not allow it (e.g. archive by a non-owner). */
  | 'FORBIDDEN'
  /** A per-user cap is reached (rooms created, rooms joined); `limit` says which bound. */
  | 'LIMIT_REACHED'
  /** A room name is taken, or looks like one that is. */
  | 'NAME_TAKEN'
  /** The room is archived: readable by its members, closed to joins and messages. */
  | 'ARCHIVED';

export interface CodedError {
  code: ChatErrorCode;
  message: string;
  /** With `RATE_LIMITED`: how long until the next message would be accepted. */
  retryAfterMs?: number;
  /** With `LIMIT_REACHED`: the bound that was hit. */
  limit?: number;
  /** With `FORBIDDEN`: the least role that may do this. */
  requiredRole?: Role;
}
