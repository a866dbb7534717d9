import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import { RequestMethod } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import type { RouteInfo } from '@nestjs/common/interfaces/middleware/middleware-configuration.interface';
import type { ApplicationConfig } from '@nestjs/core';
import { GuardsConsumer, GuardsContextCreator } from '@nestjs/core/guards';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NestContainer } from '@nestjs/core/injector/container';
import { InterceptorsConsumer, InterceptorsContextCreator } from '@nestjs/core/interceptors';
import { PipesConsumer, PipesContextCreator } from '@nestjs/core/pipes';
import { RouteParamsFactory } from '@nestjs/core/router/route-params-factory';
import { RouterExceptionFilters } from '@nestjs/core/router/router-exception-filters';
import { RouterExecutionContext } from '@nestjs/core/router/router-execution-context';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { API_PREFIX, EVENT_STREAM_ROUTE, STREAM_ROUTES } from '../../common/streams/stream-routes';

type Request = IncomingMessage & { query?: unknown; route?: unknown; res?: unknown };
type Response = ServerResponse & { req?: unknown; locals?: unknown };
type Middleware = (req: never, res: never, next: (err?: unknown) => void) => void;
type Handler = (req: Request, res: Response, next: () => void) => Promise<unknown>;
type ExpressApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  request: object;
  response: object;
  get(setting: 'query parser fn'): ((query: string) => unknown) | undefined;
};

interface StreamRoute {
  path: string;
  handler: Handler;
  exceptions: { next(exception: unknown, host: ExecutionContextHost): void };
}

const noop = () => undefined;

/**
 * Serves the `@EventStream()` routes ahead of Express: the same middleware (given in Express's
 * order), then the route exactly as Nest's router runs it (built with Nest's own
 * `RouterExecutionContext`: the global and route guards, interceptors, pipes and parameter
 * decorators), its errors answered by the route's exception filters. Everything else, and any
 * stream request that is not a plain `GET` of the exact path without a body, goes to Express.
 *
 * Why: Express decorates each request and response (`Object.setPrototypeOf`, `req.next`,
 * `res.locals`, the router's matching state) and keeps all of it for as long as the response
 * lives, which for a stream is hours. `setPrototypeOf` also gives each of them a V8 hidden class
 * of its own (`%HaveSameMap` is false for two Express responses, true for two plain ones): in a
 * heap snapshot at 2,000 streams, the request's and response's own descriptor and property
 * arrays were 3.4 KB of 15.6 KB of JS heap per stream, with Express's decorations ~1 KB more, and
 * the route matching and middleware were most of the 0.86 ms that opening one stream cost
 * (10,000 in 8.6 s, bare Node 2.3 s: docs/benchmarks.md, issue 13). An error answer (401, 403,
 * 429) needs Express's `res.status().json()`, so only then are the request and response given
 * Express's prototypes, as Express would have.
 */
export function serveStreamsFirst(
  app: NestExpressApplication,
  middleware: Middleware[],
  listed: readonly RouteInfo[] = STREAM_ROUTES,
  /**
   * Runs before a refusal (401, 403, 429) is written, as it would have on the Express path:
   * helmet's headers, which an answer that ends at once may carry at no lasting cost.
   */
  refusal?: Middleware,
): void {
  const server = app.getHttpServer() as Server;
  const express = app.getHttpAdapter().getInstance() as ExpressApp;
  if (!server.listeners('request').includes(express)) {
    throw new Error("serveStreamsFirst: Express is not the HTTP server's request listener");
  }
  // Built once the application is initialised (its global guards known): at `listen()`.
  let routes: Map<string, StreamRoute> | undefined;
  server.once('listening', () => (routes = streamRoutes(app, listed)));
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    const route = routes && req.method === 'GET' && !hasBody(req) ? routes.get(pathOf(req.url)) : undefined;
    if (route) serve(route, req, res);
    else express(req, res);
  };
  server.removeListener('request', express);
  server.on('request', dispatch);

  const parseQuery = (url = '') => {
    const parse = express.get('query parser fn');
    const at = url.indexOf('?');
    return parse ? parse(at === -1 ? '' : url.slice(at + 1)) : {};
  };

  function serve(route: StreamRoute, req: Request, res: Response) {
    req.query = parseQuery(req.url);
    // What Express's router leaves for the metrics middleware: the route's template.
    req.route = { path: route.path };
    const next = noop;
    const fail = (err: unknown) => {
      // An error answer is written with Express's response methods, as Express would.
      req.res = res;
      res.req = req;
      Object.setPrototypeOf(req, express.request);
      Object.setPrototypeOf(res, express.response);
      res.locals ??= Object.create(null);
      const answer = () => route.exceptions.next(err, new ExecutionContextHost([req, res, next]));
      if (refusal && !res.headersSent) refusal(req as never, res as never, answer);
      else answer();
    };
    let i = 0;
    const step = (err?: unknown) => {
      if (err) return fail(err);
      if (i < middleware.length) return middleware[i++](req as never, res as never, step);
      route.handler(req, res, next).catch(fail);
    };
    step();
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
}

function pathOf(url = ''): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}

const join = (...parts: Array<string | undefined>) =>
  `/${parts
    .map((p) => (p ?? '').replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;

/**
 * Every `@EventStream()` handler of the application, by its full path, built as Nest's router
 * builds its routes.
 */
function streamRoutes(app: NestExpressApplication, listed: readonly RouteInfo[]): Map<string, StreamRoute> {
  const container = (app as unknown as { container: NestContainer }).container;
  const config = container.applicationConfig as ApplicationConfig;
  const httpAdapter = app.getHttpAdapter();
  // The router sets the route's status before the handler runs, with Express's `res.status()`:
  // here the same assignment on the plain response (the stream's handler writes its own head).
  const plainResponses = Object.create(httpAdapter, {
    status: { value: (res: ServerResponse, code: number) => ((res.statusCode = code), res) },
  }) as typeof httpAdapter;
  const execution = new RouterExecutionContext(
    new RouteParamsFactory(),
    new PipesContextCreator(container, config),
    new PipesConsumer(),
    new GuardsContextCreator(container, config),
    new GuardsConsumer(),
    new InterceptorsContextCreator(container, config),
    new InterceptorsConsumer(),
    plainResponses,
  );
  const filters = new RouterExceptionFilters(container, config, httpAdapter);
  const routes = new Map<string, StreamRoute>();
  for (const [moduleKey, module] of container.getModules()) {
    for (const wrapper of module.controllers.values()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || !wrapper.metatype) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const method = prototype[name];
        if (typeof method !== 'function' || !Reflect.getMetadata(EVENT_STREAM_ROUTE, method)) continue;
        const path = join(
          API_PREFIX,
          Reflect.getMetadata(PATH_METADATA, wrapper.metatype) as string | undefined,
          Reflect.getMetadata(PATH_METADATA, method) as string | undefined,
        );
        const callback = method as (...args: unknown[]) => unknown;
        routes.set(path, {
          path,
          handler: execution.create(instance, callback, name, moduleKey, RequestMethod.GET) as Handler,
          exceptions: filters.create(instance, callback as never, moduleKey),
        });
      }
    }
  }
  // The list the request logger and helmet skip must be these routes, no more and no fewer.
  const paths = listed.map((r) => join(API_PREFIX, r.path)).sort();
  if (JSON.stringify([...routes.keys()].sort()) !== JSON.stringify(paths)) {
    throw new Error(
      `STREAM_ROUTES (${paths.join(', ')}) does not match the @EventStream() routes (${[...routes.keys()].join(', ')})`,
    );
  }
  return routes;
}
