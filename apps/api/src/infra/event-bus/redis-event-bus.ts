import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { Observable, Subject, finalize, share } from 'rxjs';

import { countReconnects } from '../metrics/redis-reconnects';
import { type BusObserver, EventBus } from './event-bus';

/**
 * Pub/sub through Redis so that every instance sees every event. Messages published here
 * come back through Redis to this instance too, so local and remote subscribers get the same
 * order. While Redis is unreachable, messages are delivered locally only: each instance keeps
 * serving its own clients, and ioredis reconnects (and resubscribes) by itself.
 */
export class RedisEventBus extends EventBus {
  readonly kind = 'redis' as const;
  private readonly logger = new Logger('RedisEventBus');
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly subjects = new Map<string, Subject<string>>();
  private readonly streams = new Map<string, Observable<string>>();
  private ready = false;
  private readonly resubscribed = new Subject<void>();
  readonly reconnected$: Observable<void> = this.resubscribed.asObservable();
  private subscriberReadyBefore = false;

  /**
   * `prefix` goes before every channel on Redis (and every key of the other Redis users):
   * deployments or test runs sharing one Redis never hear each other. Channel names given to
   * `publish` and `channel` stay unprefixed.
   */
  constructor(
    url: string,
    readonly prefix = '',
    private readonly observer?: BusObserver,
  ) {
    super();
    const options = {
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
    };
    // A command that Redis does not answer in time fails instead of holding a request up.
    this.pub = new Redis(url, { ...options, connectionName: 'rt-pub', commandTimeout: 2000 });
    // SUBSCRIBEs wait for Redis however long it takes (at start too), so that ioredis knows
    // them and subscribes again after every reconnect.
    this.sub = new Redis(url, {
      ...options,
      connectionName: 'rt-sub',
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    for (const client of [this.pub, this.sub]) {
      // Without a listener an unreachable Redis would crash the process.
      client.on('error', (err) => this.logger.warn(`Redis: ${err.message}`));
    }
    if (observer) {
      countReconnects(this.pub, () => observer.redisReconnected('bus-pub'));
      countReconnects(this.sub, () => observer.redisReconnected('bus-sub'));
    }
    this.pub.on('ready', () => this.setReady(true));
    this.pub.on('close', () => this.setReady(false));
    // ioredis resubscribes after 'ready'; a PING is answered after those SUBSCRIBEs.
    this.sub.on('ready', () => {
      if (!this.subscriberReadyBefore) {
        this.subscriberReadyBefore = true;
        return;
      }
      this.sub.ping().then(
        () => this.resubscribed.next(),
        () => undefined,
      );
    });
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const name = channel.toString();
      if (!name.startsWith(this.prefix)) return;
      const subject = this.subjects.get(name.slice(this.prefix.length));
      if (!subject) return;
      this.observer?.busReceived(name.slice(this.prefix.length));
      subject.next(message.toString());
    });
  }

  private setReady(ready: boolean) {
    if (ready !== this.ready)
      this.logger.log(ready ? 'connected to Redis' : 'lost Redis; delivering locally');
    this.ready = ready;
  }

  get connected(): boolean {
    return this.ready && this.sub.status === 'ready';
  }

  /** Resolves once both connections are up (start-up waits for it, with a timeout). */
  async waitUntilReady(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.connected;
  }

  async publish(channel: string, message: string): Promise<void> {
    this.observer?.busPublished(channel);
    if (this.connected) {
      try {
        const startedAt = performance.now();
        await this.pub.publish(this.prefix + channel, message);
        this.observer?.redisCommand('publish', (performance.now() - startedAt) / 1000);
        return;
      } catch (err) {
        this.logger.warn(`publish on ${channel} failed, delivering locally: ${(err as Error).message}`);
      }
    }
    const subject = this.subjects.get(channel);
    if (!subject) return;
    this.observer?.busReceived(channel);
    subject.next(message);
  }

  channel(name: string): Observable<string> {
    let stream = this.streams.get(name);
    if (!stream) {
      const subject = new Subject<string>();
      this.subjects.set(name, subject);
      this.sub
        .subscribe(this.prefix + name)
        .catch((err) => this.logger.warn(`subscribe ${name}: ${err.message}`));
      stream = subject.pipe(
        finalize(() => {
          this.subjects.delete(name);
          this.streams.delete(name);
          this.sub.unsubscribe(this.prefix + name).catch(() => undefined);
        }),
        share(),
      );
      this.streams.set(name, stream);
    }
    return stream;
  }

  get openChannels(): number {
    return this.subjects.size;
  }

  /** A plain command connection for other Redis users (rate limits, presence, resume logs). */
  get client(): Redis {
    return this.pub;
  }

  async close(): Promise<void> {
    this.resubscribed.complete();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
