import type { Observable } from 'rxjs';

/** What a bus reports as it works (the process's Metrics implement it). */
export interface BusObserver {
  busPublished(channel: string): void;
  busReceived(channel: string): void;
  redisCommand(command: string, seconds: number): void;
  redisReconnected(connection: string): void;
}

/**
 * Publish/subscribe of already-serialized messages between the parts of the API and,
 * with Redis, between instances. Messages are strings so that a payload is serialized
 * once by its producer, whatever the number of subscribers or instances.
 */
export abstract class EventBus {
  abstract publish(channel: string, message: string): Promise<void>;
  /** A hot stream of the channel's messages; subscribing is cheap and shared. */
  abstract channel(name: string): Observable<string>;
  /**
   * Fires when the link to the other instances is back after a loss, once every channel is
   * subscribed again: what was published meanwhile did not reach this instance, so streams
   * backed by a durable log catch up from it. Never fires in-process.
   */
  abstract readonly reconnected$: Observable<void>;
  /** Whether messages currently reach other instances (always true in-process). */
  abstract readonly connected: boolean;
  abstract readonly kind: 'in-process' | 'redis';
}
