import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { PinoLogger } from 'nestjs-pino';
import type { Options } from 'pino-http';

import { redactQuery, redactUrl } from '../../common/redact-url';

/**
 * The request's id: the caller's `X-Request-Id` when it is a plain token, else a new one;
 * echoed in the response, and every line logged while the request runs carries it as `traceId`.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** pino-http's options: one line per request, tokens never logged. */
export function requestLogOptions(level: string): Options {
  return {
    level,
    genReqId: requestId,
    // Every line logged while a request runs carries its id as `traceId` (infra/tracing).
    customProps: (req) => ({ traceId: req.id }),
    // Tokens never reach the log, wherever they travel.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    // …and a token put in a query string neither.
    serializers: {
      req: (req: { url?: string; query?: unknown }) =>
        Object.assign(req, { url: redactUrl(req.url), query: redactQuery(req.query) }),
    },
    autoLogging: { ignore: (req) => req.url === '/api/health' },
  };
}

/**
 * The request line of an event stream, as pino-http writes it for every other request (same
 * message, serializers, redaction, `traceId` and level), logged once when the stream closes.
 * pino-http itself is not run on the streams: it builds two child loggers per request, kept in
 * `req.log` and `res.log` for as long as the request lives, which for a stream is hours. Their
 * per-request prototypes also gave every stream's request and response a hidden class of its
 * own: 5.2 of 19.3 KB of JS heap per stream in a snapshot at 2,000 streams (docs/benchmarks.md,
 * issue 13). Here the child is made at the close, for the one line, and dropped.
 */
export function streamRequestLog(
  req: IncomingMessage & { id?: unknown; readableAborted?: boolean },
  res: ServerResponse,
  next: () => void,
): void {
  const id = requestId(req, res);
  req.id = id;
  const startedAt = Date.now();
  res.once('close', () => {
    const root = PinoLogger.root as PinoLogger['logger'] | undefined;
    if (!root?.isLevelEnabled('info')) return;
    const log = root.child({ req }).child({ traceId: id });
    const responseTime = Date.now() - startedAt;
    if (res.statusCode >= 500) {
      const err = new Error(`failed with status code ${res.statusCode}`);
      log.info({ res, err, responseTime }, 'request errored');
    } else {
      const completed = !req.readableAborted && res.writableEnded;
      log.info({ res, responseTime }, completed ? 'request completed' : 'request aborted');
    }
  });
  next();
}
