import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { type Observable, isObservable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';

import type { AppConfig } from '../../config/app-config';
import { useCorkedWebSockets } from './corked-websocket';
import { countReconnects } from '../metrics/redis-reconnects';
import type { Metrics } from '../metrics/metrics';

/**
 * socket.io with the configured CORS origins (gateway decorators are static, the config is
 * not) and without the bundled client script. With REDIS_URL, the maintained Redis adapter
 * carries room broadcasts to every instance (WebSocket only, see below); without it the in-memory
 * adapter serves one process.
 */
export class SocketIoAdapter extends IoAdapter {
  private readonly logger = new Logger(SocketIoAdapter.name);
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
    useCorkedWebSockets();
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

  /**
   * Each `@SubscribeMessage` handler as one plain listener on the socket, instead of IoAdapter's
   * RxJS pipeline per handler and socket (`fromEvent` → `mergeMap` → `filter` → `map` →
   * `takeUntil(disconnect$)`, subscribed for the socket's life). Profiled in `npm run bench --
   * chat` (1,000 sockets, 5 handlers each): those pipelines held ~25 of the 40 KB of JS heap per
   * socket (a heap snapshot: 133 closures, 119 contexts and 20 OperatorSubscribers per socket),
   * and each event ran through ~10 subscriber hops and an inner subscription, which with the
   * garbage they make was ~30 % of the server's samples at saturation (GC 31 %, RxJS ~5 %).
   * The semantics are IoAdapter's: the payload as `fromEvent` gives it, the handler's result
   * (a value, a promise or an observable) answered through the ack unless the handler takes the
   * ack itself, `{ event, data }` emitted instead, nil answered with nothing.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      const respond = (response: unknown, ack: unknown) => {
        if (response === null || response === undefined) return;
        const { event, data } = response as { event?: string; data?: unknown };
        if (event) return void socket.emit(event, data);
        if (!isAckHandledManually && typeof ack === 'function') ack(response);
      };
      socket.on(message, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]);
        const result: unknown = callback(data, ack);
        // Nest's handlers (its exception zone around ours) return a promise that settles once.
        if (result instanceof Promise) {
          result.then(
            (value: unknown) =>
              isObservable(value) ? transform(value).subscribe((r) => respond(r, ack)) : respond(value, ack),
            (err: unknown) => this.logger.error(`'${String(message)}' failed: ${String(err)}`),
          );
        } else {
          transform(result).subscribe((r) => respond(r, ack));
        }
      });
    }
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    this.redis?.pub.disconnect();
    this.redis?.sub.disconnect();
  }
}
