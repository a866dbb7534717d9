import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

import type { AppConfig } from '../../config/app-config';

/**
 * socket.io with the configured CORS origins (gateway decorators are static, the config is
 * not) and without the bundled client script. The place for a Redis adapter when REDIS_URL is set.
 */
export class SocketIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    return super.createIOServer(port, {
      ...options,
      serveClient: false,
      cors: { origin: this.config.corsOrigins, credentials: true },
    });
  }
}
