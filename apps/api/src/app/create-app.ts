import { dirname, join, resolve } from 'node:path';

import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';

import { AppModule } from './app.module';
import { STREAM_ROUTES, isStreamRequest } from '../common/streams/stream-routes';
import type { AppConfig } from '../config/app-config';
import { guardConnections } from '../infra/http/connection-guard';
import { streamRequestLog } from '../infra/http/request-log';
import { serveStreamsFirst } from '../infra/http/stream-front-door';
import { httpMetrics } from '../infra/metrics/http-metrics.middleware';
import { Metrics } from '../infra/metrics/metrics';
import { SocketIoAdapter } from '../infra/socket-io/socket-io.adapter';
import { InFlightRequests } from './lifecycle/in-flight';
import { serveDashboard } from './web/dashboard-site';

/** `dist/apps/dashboard/browser` beside the built API (`dist/apps/api/main.js`). */
function builtDashboardDir(): string {
  return join(dirname(resolve(process.argv[1] ?? '.')), '../dashboard/browser');
}

/** Builds the configured application; main.ts listens, tests may listen on port 0. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
    // A module that fails to start (database unreachable, say) rejects here, so main.ts prints
    // one line with the secrets taken out instead of Nest's stack trace and exit.
    abortOnError: false,
    logger: false,
    // On shutdown, drop the connections still open (SSE streams, idle keep-alives) instead of
    // waiting for them: a stream never ends on its own, and a client reconnecting over a
    // kept-alive connection would otherwise hold the process up indefinitely.
    forceCloseConnections: true,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  if (config.jwtSecretFile) {
    logger.log(
      `JWT_SECRET is not set: using the development key kept in ${config.jwtSecretFile} (delete it to sign everyone out)`,
    );
  } else if (config.jwtSecretGenerated) {
    logger.warn(
      'JWT_SECRET is not set: using a random key for this process; tokens will not survive a restart',
    );
  }
  const metrics = app.get(Metrics);
  const timed = httpMetrics(metrics);
  app.use(timed);
  const inFlight = app.get(InFlightRequests);
  inFlight.attach(app.getHttpServer());
  app.use(inFlight.middleware);
  // helmet removes it from every other answer; the event streams skip helmet (below).
  app.disable('x-powered-by');
  app.setGlobalPrefix('api');
  // A reverse proxy (deploy/nginx, npm run start:cluster) forwards the client address in
  // X-Forwarded-For; only the proxies of TRUST_PROXY (default: loopback) are believed, so a
  // direct client cannot claim another address.
  app.set('trust proxy', config.trustProxy);
  const trusted = app.getHttpAdapter().getInstance().get('trust proxy fn') as (
    a: string,
    i: number,
  ) => boolean;
  guardConnections(app.getHttpServer(), {
    maxPerAddress: config.maxConnectionsPerAddress,
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    isTrustedProxy: (address) => trusted(address, 0),
  });
  app.useBodyParser('json', { limit: config.bodyLimit });
  const cookies = cookieParser();
  app.use(cookies);
  const strict = helmet();
  const docs = helmet({ contentSecurityPolicy: false });
  // Event streams get none of helmet's headers: they are for documents, and a response keeps
  // its header block for as long as it lives (~1 KB per stream, most of it the CSP).
  app.use((req: { method: string; path: string }, res: unknown, next: () => void) => {
    if (isStreamRequest(req.method, req.path)) return next();
    (req.path.startsWith('/api/docs') ? docs : strict)(req as never, res as never, next);
  });
  // What app.enableCors() does, with the middleware kept for the event streams' front door.
  const allowedOrigins = cors({ origin: config.corsOrigins, credentials: true });
  app.use(allowedOrigins);
  if (serveDashboard(app, config.dashboardDir ?? builtDashboardDir())) {
    logger.log('Serving the built dashboard at /', 'Bootstrap');
  }
  // The event streams are served ahead of Express, through the same middleware in the same
  // order (the json body parser aside: a request with a body goes to Express), and the
  // request line pino-http would log (infra/http/stream-front-door.ts: why, with the figures).
  serveStreamsFirst(
    app,
    [timed, inFlight.middleware, cookies, allowedOrigins, streamRequestLog],
    STREAM_ROUTES,
    strict,
  );
  app.useWebSocketAdapter(new SocketIoAdapter(app, config, metrics));
  // Signals are handled in main.ts (exitOnSignals): Nest's own hooks would end the process by
  // re-raising the signal, so a clean shutdown could not exit with code 0.

  // The document maps every endpoint for whoever asks: off in production unless API_DOCS=true.
  if (config.apiDocs) {
    const openApi = new DocumentBuilder()
      .setTitle('Realtime operations dashboard API')
      .setDescription('HTTP endpoints; streams and chat are described in the README.')
      .addBearerAuth()
      .build();
    SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  }
  return app;
}
