import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

import type { ApiError } from '@realtime/contracts';

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  limit?: number;
}

/**
 * Every HTTP error leaves as `{statusCode, message, error}`: a 4xx that says what is wrong,
 * and for anything unexpected a bare 500 whose details stay in the log, never in the body.
 */
/** `NOT_FOUND` → `Not Found`, the way Nest's own errors spell it. */
function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .replace(/(^|_)(\w)/g, (_, sep: string, c: string) => (sep ? ' ' : '') + c.toUpperCase())
    : 'Error';
}

function retryAfterOf(exception: unknown): number | undefined {
  if (!(exception instanceof HttpException)) return undefined;
  const response = exception.getResponse() as { retryAfterMs?: unknown };
  return typeof response === 'object' && typeof response.retryAfterMs === 'number'
    ? response.retryAfterMs
    : undefined;
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (res.headersSent) {
      // A stream that has started cannot change its status; end it instead.
      if (!res.writableEnded) res.end();
      return;
    }
    const retryAfterMs = retryAfterOf(exception);
    if (retryAfterMs !== undefined) {
      // A rate-limit refusal (ActionRateLimits) says when to come back, in the body and the header.
      res.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
      res.status(body.statusCode).json({ ...body, retryAfterMs });
      return;
    }
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ApiError {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const body =
        typeof response === 'string'
          ? { message: response }
          : (response as {
              message?: unknown;
              error?: unknown;
              requiredRole?: unknown;
              requiredScope?: unknown;
            });
      const message = Array.isArray(body.message)
        ? body.message.join('; ')
        : String(body.message ?? exception.message);
      const error = typeof body.error === 'string' ? body.error : reasonPhrase(status);
      // A machine-readable code (and its figures) where the thrower gave one (chat: NAME_TAKEN…).
      const extra = body as { code?: unknown; retryAfterMs?: unknown; limit?: unknown };
      // A refused role check names the role it needs (RolesGuard's `forbidden()`).
      const requiredRole = 'requiredRole' in body ? body.requiredRole : undefined;
      const requiredScope = 'requiredScope' in body ? body.requiredScope : undefined;
      return {
        statusCode: status,
        message,
        error,
        ...(typeof requiredRole === 'string'
          ? {
              requiredRole: requiredRole as ApiError['requiredRole'],
              ...(typeof requiredScope === 'string' ? { requiredScope } : {}),
            }
          : {}),
        ...(typeof extra.code === 'string' ? { code: extra.code } : {}),
        ...(typeof extra.retryAfterMs === 'number' ? { retryAfterMs: extra.retryAfterMs } : {}),
        ...(typeof extra.limit === 'number' ? { limit: extra.limit } : {}),
      };
    }
    const e = exception as BodyParserError | null;
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        e?.type === 'entity.parse.failed'
          ? 'Malformed JSON in request body'
          : e?.type === 'entity.too.large'
            ? `Request body is larger than the limit of ${e.limit} bytes`
            : e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported'
              ? 'Unsupported request body encoding'
              : (exception as Error).message || 'Bad request';
      return {
        statusCode: status,
        message,
        error: reasonPhrase(status),
      };
    }
    return {
      statusCode: 500,
      message: 'Internal server error',
      error: 'Internal Server Error',
    };
  }
}
