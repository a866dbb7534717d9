import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io with the maintained Redis adapter: a broadcast to a room reaches its members on
 * every instance. Used when REDIS_URL is set; the default in-memory adapter serves one process.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: Redis;
  private readonly sub: Redis;

  constructor(app: INestApplicationContext, url: string) {
    super(app);
    this.pub = new Redis(url, { connectionName: 'rt-io-pub', maxRetriesPerRequest: 1 });
    this.sub = this.pub.duplicate({ connectionName: 'rt-io-sub' });
    // Without listeners an unreachable Redis would crash the process; the adapter keeps
    // delivering locally and ioredis reconnects by itself.
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(createAdapter(this.pub, this.sub, { key: 'rt-socket.io' }));
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
