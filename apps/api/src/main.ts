import { existsSync } from 'node:fs';

import { Logger } from 'nestjs-pino';

import { createApp } from './app/create-app';
import { ShutdownService } from './app/lifecycle/shutdown.service';
import { AppConfig, ConfigError, loadConfig, redactSecrets } from './config/app-config';
import { DEVELOPMENT_SECRET_FILE, keepDevelopmentSecret } from './config/development-secret';

const RESTART_HINT = 'Start it again with: npx nx serve api';

/**
 * Connections the kernel may hold for us before we accept them (capped by `net.core.somaxconn`).
 * Node's default, 511, overflowed in the restart storm (docs/benchmarks.md): 9,500 clients come
 * back within a few seconds while one turn of the event loop serves hundreds of their requests,
 * so the SYNs beyond 511 were dropped (`nstat` TcpExtListenOverflows: 60,961 in one storm) and
 * those clients came back only after the kernel's SYN retries, 1, 3, 7, 15 and 31 s later.
 */
const LISTEN_BACKLOG = 65_535;

async function bootstrap() {
  // A .env file in the working directory is read if present; real environment variables win.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (config.jwtSecretGenerated && config.nodeEnv === 'development') {
    // Kept in data/ (git-ignored) so that a restart does not sign everyone out.
    config = {
      ...config,
      jwtSecret: keepDevelopmentSecret(config.jwtSecret),
      jwtSecretFile: DEVELOPMENT_SECRET_FILE,
    };
  }
  const app = await createApp(config);
  exitOnSignals(app, config.nodeEnv === 'development');
  // Nest passes the arguments after the port on to `server.listen(port, host, backlog, callback)`.
  const listen = app.listen.bind(app) as unknown as (
    port: number,
    host: string,
    backlog: number,
  ) => Promise<unknown>;
  await listen(config.port, config.host, LISTEN_BACKLOG);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.get(Logger).log(`API listening on http://localhost:${port}/api`, 'Bootstrap');
}

/**
 * SIGTERM/SIGINT: a graceful close (streams told when to come back, sockets why, requests in
 * flight finished, the database closed last), then exit code 0; 1 if closing failed. The
 * ShutdownService's 10 s deadline ends a close that hangs.
 */
function exitOnSignals(app: Awaited<ReturnType<typeof createApp>>, development: boolean) {
  let closing = false;
  // Development: one clear line whenever the API stops, whatever stopped it.
  if (development)
    process.once('exit', (code) =>
      process.stderr.write(`API stopped${closing ? '' : ` (exit code ${code})`}. ${RESTART_HINT}\n`),
    );
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    // The shutdown's one owner first, then Nest's hooks (onModuleDestroy first of all).
    app
      .get(ShutdownService)
      .shutdown(signal)
      .then(() => (app.close as (signal?: string) => Promise<void>).call(app, signal))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`Shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
          process.exit(1);
        },
      );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, onSignal);
}

bootstrap().catch((err) => {
  // A driver's error can quote its connection string: no secret of the environment gets out.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Failed to start: ${redactSecrets(message)}\n`);
  process.exit(1);
});
