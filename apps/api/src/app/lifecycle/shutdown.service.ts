import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

import { ShutdownSignal } from '../../common/shutdown-signal';
import { InFlightRequests } from './in-flight';

/** Hard limit for a graceful shutdown; past it the process exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 10_000;
/** How long requests in flight (and the streams' goodbyes) get to finish before connections close. */
export const DRAIN_MS = 5_000;

/**
 * The one owner of the shutdown. On SIGTERM/SIGINT (main.ts closes the app), before the HTTP
 * server closes: start the deadline, fire the ShutdownSignal once (every stream ends with its
 * `retry:` goodbye, sockets are told why), then let the requests in flight finish.
 */
@Injectable()
export class ShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  constructor(
    private readonly signal: ShutdownSignal,
    private readonly inFlight: InFlightRequests,
  ) {}

  async beforeApplicationShutdown(signal?: string) {
    if (this.signal.fired) return;
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
