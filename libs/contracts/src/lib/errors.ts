import type { Role } from './auth';

/** The JSON body of every 4xx/5xx HTTP answer. */
export interface ApiError {
  statusCode: number;
  message: string;
  error?: string;
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
  | 'INTERNAL';

export interface CodedError {
  code: ChatErrorCode;
  message: string;
  /** With `RATE_LIMITED`: how long until the next message would be accepted. */
  retryAfterMs?: number;
  /** With `FORBIDDEN`: the least role that may do this. */
  requiredRole?: Role;
}
