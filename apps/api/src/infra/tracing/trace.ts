import { randomUUID } from 'node:crypto';

import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';

/**
 * The trace id of the work running now: the request id of an HTTP request (`X-Request-Id`,
 * given or made up), or the id a socket event was given. Every log line written meanwhile
 * carries it as `traceId`, and a message that leaves the process (a bus message) takes it
 * along, so the logs of one notification's path join on one id across instances.
 */
export function currentTraceId(): string | undefined {
  const logger = storage.getStore()?.logger;
  const id = (logger?.bindings() as { traceId?: unknown } | undefined)?.traceId;
  return typeof id === 'string' ? id : undefined;
}

/** Runs `work` with `traceId` (a new one if omitted) bound to every log line it writes. */
export function withTrace<T>(work: () => T, traceId: string = randomUUID(), bindings: object = {}): T {
  const root = PinoLogger.root as PinoLogger['logger'] | undefined;
  if (!root) return work(); // no pino (unit tests): nothing to bind
  return storage.run(new Store(root.child({ traceId, ...bindings })), work);
}

/** A trace id as it may travel (bus messages, headers): short, no spaces or separators. */
export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && /^[\w-]{1,64}$/.test(value);
}
