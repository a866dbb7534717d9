import { existsSync } from 'node:fs';

import { Logger } from 'nestjs-pino';

import { createApp } from './app/create-app';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';

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
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.get(Logger).log(`API listening on http://localhost:${port}/api`, 'Bootstrap');
}

bootstrap().catch((err) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
