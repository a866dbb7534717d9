import type { ChatErrorCode, CodedError } from '@realtime/contracts';

/**
 * A refusal of the chat's rules, with the code a socket ack carries; the controller turns it
 * into the matching HTTP status. Services throw it, edges translate it.
 */
export class ChatError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    readonly extra: Partial<Pick<CodedError, 'retryAfterMs' | 'limit'>> = {},
  ) {
    super(message);
  }

  toCoded(): CodedError {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

export const HTTP_STATUS_OF: Partial<Record<ChatErrorCode, number>> = {
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  NAME_TAKEN: 409,
  LIMIT_REACHED: 409,
  ARCHIVED: 409,
  RATE_LIMITED: 429,
  NOT_MEMBER: 403,
};
