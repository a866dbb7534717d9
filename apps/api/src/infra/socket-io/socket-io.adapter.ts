import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

import type { AppConfig } from '../../config/app-config';

/**
 * socket.io with the configured CORS origins (gateway decorators are static, the config is
 * not) and without the bundled client script. With REDIS_URL, the maintained Redis adapter
 * carries room broadcasts to every instance; without it the in-memory adapter serves one process.
 */
export class SocketIoAdapter extends IoAdapter {
  private redis: { pub: Redis; sub: Redis } | undefined;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
    if (config.redisUrl) {
      const pub = new Redis(config.redisUrl, { connectionName: 'rt-io-pub', maxRetriesPerRequest: 1 });
      const sub = pub.duplicate({ connectionName: 'rt-io-sub' });
      // Without listeners an unreachable Redis would crash the process; the adapter keeps
      // delivering locally meanwhile and ioredis reconnects by itself.
      pub.on('error', () => undefined);
      sub.on('error', () => undefined);
      this.redis = { pub, sub };
    }
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const server = super.createIOServer(port, {
      ...options,
      serveClient: false,
      cors: { origin: this.config.corsOrigins, credentials: true },
    }) as Server;
    if (this.redis) server.adapter(createAdapter(this.redis.pub, this.redis.sub, { key: 'rt-socket.io' }));
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    this.redis?.pub.disconnect();
    this.redis?.sub.disconnect();
  }
}
