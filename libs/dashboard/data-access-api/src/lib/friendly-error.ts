import { HttpErrorResponse } from '@angular/common/http';

/**
 * A sentence a person can act on, for any HTTP failure: never a stack, a status text alone or
 * `[object Object]`.
 */
export function friendlyHttpError(error: unknown, action = 'do that'): string {
  if (!(error instanceof HttpErrorResponse)) return `Something went wrong while trying to ${action}.`;
  const status = error.status;
  if (status === 0) return "Can't reach the server. Check your connection and try again.";
  if (status === 401) return 'Your session has expired. Please sign in again.';
  if (status === 403) return "You don't have permission to do that.";
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  // A dev proxy or gateway answers 502/503/504 when the API is not running.
  if (status === 502 || status === 503 || status === 504)
    return "Can't reach the server. It may be restarting; try again in a moment.";
  if (status >= 500) return `The server ran into a problem (HTTP ${status}). Try again in a moment.`;
  const message = serverMessage(error.error);
  return message ?? `The request failed (HTTP ${status}).`;
}

function serverMessage(body: unknown): string | null {
  if (body && typeof body === 'object' && 'message' in body) {
    const message = (body as { message: unknown }).message;
    if (typeof message === 'string' && message.length > 0 && message.length < 300) return message;
    if (Array.isArray(message) && typeof message[0] === 'string') return message.join(' ');
  }
  return null;
}
