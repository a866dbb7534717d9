export interface LoginRequest {
  username: string;
  password: string;
}

export interface AuthUser {
  id: number;
  username: string;
}

export interface LoginResponse {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: AuthUser;
}

/** Name of the HttpOnly cookie that authenticates browser EventSource streams. */
export const STREAM_COOKIE = 'rt_stream';
