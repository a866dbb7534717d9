import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

import { ShutdownSignal } from '../../common/shutdown-signal';
import { InFlightRequests } from './in-flight';

/** Hard limit for a graceful shutdown; past it the process exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 10_000;
/** How long requests in flight (and the streams' goodbyes) get to finish before connections close. */
export const DRAIN_MS = 5_000;

/**
 * The one owner of the shutdown. On SIGTERM/SIGINT main.ts calls `shutdown()` before it closes
 * the app (Nest's own hooks start with `onModuleDestroy`, where features tear down): the
 * deadline starts, the ShutdownSignal fires once (every stream ends with its `retry:` goodbye,
 * sockets are told why), and the requests in flight finish. An app closed without it (tests)
 * runs it from `beforeApplicationShutdown`.
 */
@Injectable()
export class ShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private done: Promise<void> | undefined;

  constructor(
    private readonly signal: ShutdownSignal,
    private readonly inFlight: InFlightRequests,
  ) {}

  /** Runs once; later calls wait for the first. */
  shutdown(signal?: string): Promise<void> {
    this.done ??= this.run(signal);
    return this.done;
  }

  beforeApplicationShutdown(signal?: string) {
    return this.shutdown(signal);
  }

  private async run(signal?: string) {
    this.logger.log(`${signal ?? 'shutdown'}: closing streams and sockets`);
    setTimeout(() => {
      this.logger.error(`still running ${SHUTDOWN_DEADLINE_MS} ms after ${signal}; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    this.signal.fire();
    // Streams end (each with its `retry:` goodbye), requests in flight finish and are answered;
    // only then does the HTTP server drop what is left (forceCloseConnections).
    const inFlight = this.inFlight.size;
    await this.inFlight.drain(DRAIN_MS);
    this.logger.log(`${inFlight} request(s) and stream(s) were in flight; ${this.inFlight.size} left`);
  }
}
