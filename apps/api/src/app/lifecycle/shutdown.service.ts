import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

import { streamsShutdown$ } from '../../common/sse';
import { inFlightRequests } from './in-flight';

/** Hard limit for a graceful shutdown; past it the process exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 10_000;
/** How long requests in flight (and the streams' goodbyes) get to finish before connections close. */
export const DRAIN_MS = 5_000;

/**
 * On SIGTERM/SIGINT (Nest's shutdown hooks), before the HTTP server closes: end every SSE
 * stream so `server.close()` is not held open by them, and make sure the process exits
 * within the deadline even if something hangs.
 */
@Injectable()
export class ShutdownService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  async beforeApplicationShutdown(signal?: string) {
    this.logger.log(`${signal ?? 'shutdown'}: closing streams and sockets`);
    setTimeout(() => {
      this.logger.error(`still running ${SHUTDOWN_DEADLINE_MS} ms after ${signal}; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    streamsShutdown$.next();
    // Streams end (each with its `retry:` goodbye), requests in flight finish and are answered;
    // only then does the HTTP server drop what is left (forceCloseConnections).
    const inFlight = inFlightRequests.size;
    await inFlightRequests.drain(DRAIN_MS);
    this.logger.log(`${inFlight} request(s) and stream(s) were in flight; ${inFlightRequests.size} left`);
  }
}
