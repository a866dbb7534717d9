import { HttpErrorResponse } from '@angular/common/http';

import { friendlyHttpError } from './friendly-error';

const err = (status: number, error: unknown = null) => new HttpErrorResponse({ status, error });

describe('friendlyHttpError', () => {
  it('turns failures into sentences', () => {
    expect(friendlyHttpError(err(0))).toBe("Can't reach the server. Check your connection and try again.");
    expect(friendlyHttpError(err(504))).toContain("Can't reach the server");
    expect(friendlyHttpError(err(500))).toBe(
      'The server ran into a problem (HTTP 500). Try again in a moment.',
    );
    expect(friendlyHttpError(err(429))).toContain('Too many requests');
    expect(friendlyHttpError(err(400, { statusCode: 400, message: 'minutes must be ≤ 60' }))).toBe(
      'minutes must be ≤ 60',
    );
    expect(friendlyHttpError(err(400, { message: { nested: true } }))).toBe('The request failed (HTTP 400).');
    expect(friendlyHttpError(new Error('boom'), 'refresh')).toBe(
      'Something went wrong while trying to refresh.',
    );
  });
});
