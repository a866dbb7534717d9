import type { NextFunction, Request, Response } from 'express';

import { type Metrics, secondsSince } from './metrics';

/**
 * Times every HTTP request by its route template (`/api/notifications/:id/read`, never the
 * raw path: ids would make the labels unbounded) and counts the 429s by route. Event streams
 * are left out of the histogram: they last as long as the client stays, and are counted as
 * open connections instead.
 */
export function httpMetrics(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const startedAt = performance.now();
    res.once('close', () => {
      const route = (req.route as { path?: unknown } | undefined)?.path;
      const template = typeof route === 'string' ? route : 'unmatched';
      if (res.statusCode === 429) metrics.rateLimited(`${req.method} ${template}`);
      if (String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) return;
      metrics.httpRequest(req.method, template, res.statusCode, secondsSince(startedAt));
    });
    next();
  };
}
