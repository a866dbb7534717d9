/** The JSON body of every 4xx/5xx HTTP answer. */
export interface ApiError {
  statusCode: number;
  message: string;
  error?: string;
}

/** Codes carried by socket acknowledgements and `error` events. */
export type ChatErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_MEMBER'
  | 'TOO_LONG'
  | 'RATE_LIMITED'
  | 'UNKNOWN_EVENT'
  | 'UNAUTHORIZED'
  | 'INTERNAL';

export interface CodedError {
  code: ChatErrorCode;
  message: string;
  /** With `RATE_LIMITED`: how long until the next message would be accepted. */
  retryAfterMs?: number;
}
