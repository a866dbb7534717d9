import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

import type { AppConfig } from '../../config/app-config';
import { countReconnects } from '../metrics/redis-reconnects';
import type { Metrics } from '../metrics/metrics';

/**
 * socket.io with the configured CORS origins (gateway decorators are static, the config is
 * not) and without the bundled client script. With REDIS_URL, the maintained Redis adapter
 * carries room broadcasts to every instance (WebSocket only, see below); without it the in-memory
 * adapter serves one process.
 */
export class SocketIoAdapter extends IoAdapter {
  private redis: { pub: Redis; sub: Redis } | undefined;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    metrics?: Metrics,
  ) {
    super(app);
    if (config.redisUrl) {
      const pub = new Redis(config.redisUrl, {
        connectionName: 'rt-io-pub',
        maxRetriesPerRequest: 1,
        commandTimeout: 2000,
      });
      // The subscriber's SUBSCRIBEs wait for Redis however long it takes (at start too).
      const sub = pub.duplicate({
        connectionName: 'rt-io-sub',
        commandTimeout: undefined,
        maxRetriesPerRequest: null,
      });
      // Without listeners an unreachable Redis would crash the process; the adapter keeps
      // delivering locally meanwhile and ioredis reconnects by itself.
      pub.on('error', () => undefined);
      // The adapter does not await its broadcasts' PUBLISH: a failed one (Redis away) would be
      // an unhandled rejection, which ends the process. Local delivery has happened anyway.
      const publish = pub.publish.bind(pub) as (channel: string, message: string) => Promise<number>;
      pub.publish = ((channel: string, message: string) => {
        const sent = publish(channel, message);
        sent.catch(() => undefined);
        return sent;
      }) as typeof pub.publish;
      sub.on('error', () => undefined);
      if (metrics) {
        countReconnects(pub, () => metrics.redisReconnected('io-pub'));
        countReconnects(sub, () => metrics.redisReconnected('io-sub'));
      }
      this.redis = { pub, sub };
    }
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const server = super.createIOServer(port, {
      ...options,
      // Several instances behind a balancer without sticky sessions: long-polling would send a
      // session's requests to instances that do not know it, so only WebSocket is offered
      // (one connection, one instance). One instance serves both transports.
      ...(this.redis ? { transports: ['websocket' as const] } : {}),
      serveClient: false,
      cors: { origin: this.config.corsOrigins, credentials: true },
    }) as Server;
    if (this.redis)
      server.adapter(
        createAdapter(this.redis.pub, this.redis.sub, { key: `${this.config.redisPrefix}socket.io` }),
      );
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    this.redis?.pub.disconnect();
    this.redis?.sub.disconnect();
  }
}
