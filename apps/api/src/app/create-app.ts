import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';

import { AppModule } from './app.module';
import type { AppConfig } from '../config/app-config';
import { SocketIoAdapter } from '../infra/socket-io/socket-io.adapter';
import { InFlightRequests } from './lifecycle/in-flight';

/** Builds the configured application; main.ts listens, tests may listen on port 0. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
    // On shutdown, drop the connections still open (SSE streams, idle keep-alives) instead of
    // waiting for them: a stream never ends on its own, and a client reconnecting over a
    // kept-alive connection would otherwise hold the process up indefinitely.
    forceCloseConnections: true,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  if (config.jwtSecretGenerated) {
    logger.warn(
      'JWT_SECRET is not set: using a random key for this process; tokens will not survive a restart',
    );
  }
  const inFlight = app.get(InFlightRequests);
  inFlight.attach(app.getHttpServer());
  app.use(inFlight.middleware);
  app.setGlobalPrefix('api');
  // A balancer on this machine (npm run start:cluster) forwards the client address in
  // X-Forwarded-For; only loopback peers are believed, so a direct client cannot spoof it.
  app.set('trust proxy', 'loopback');
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.use(cookieParser());
  const strict = helmet();
  const docs = helmet({ contentSecurityPolicy: false });
  app.use((req: { path: string }, res: unknown, next: () => void) =>
    (req.path.startsWith('/api/docs') ? docs : strict)(req as never, res as never, next),
  );
  app.enableCors({ origin: config.corsOrigins, credentials: true });
  app.useWebSocketAdapter(new SocketIoAdapter(app, config));
  // Signals are handled in main.ts (exitOnSignals): Nest's own hooks would end the process by
  // re-raising the signal, so a clean shutdown could not exit with code 0.

  const openApi = new DocumentBuilder()
    .setTitle('Realtime operations dashboard API')
    .setDescription('HTTP endpoints; streams and chat are described in the README.')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  return app;
}
