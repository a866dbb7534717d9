import { RequestMethod } from '@nestjs/common';
import type { RouteInfo } from '@nestjs/common/interfaces/middleware/middleware-configuration.interface';

/** The API's global prefix (create-app.ts), under which the routes below are served. */
export const API_PREFIX = 'api';

/**
 * Every `@EventStream()` route (a unit test holds this list to the controllers). They skip the
 * per-request machinery that only costs a long-lived stream memory: pino-http's child loggers
 * (the request line is logged by `streamRequestLog` instead) and helmet's headers, which are
 * for documents (docs/benchmarks.md, issue 13).
 */
export const STREAM_ROUTES: readonly RouteInfo[] = [
  { path: 'dashboard/stream', method: RequestMethod.GET },
  { path: 'notifications/stream', method: RequestMethod.GET },
  { path: 'stream', method: RequestMethod.GET },
];

const STREAM_PATHS = new Set(STREAM_ROUTES.map((r) => `/${API_PREFIX}/${r.path}`));

/** Whether an Express request (its `path`, without the query) is for one of the event streams. */
export function isStreamRequest(method: string, path: string): boolean {
  return method === 'GET' && STREAM_PATHS.has(path);
}

/** Set on the handler of every `@EventStream()` route. */
export const EVENT_STREAM_ROUTE = 'eventStreamRoute';
