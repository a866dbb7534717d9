import { Injectable } from '@nestjs/common';

/**
 * The process is shutting down gracefully. One owner fires it, once: the lifecycle's
 * ShutdownService, first thing in its shutdown hook, before it starts its deadline and drains
 * the requests in flight. Whatever must end or refuse new work then (streams, sockets)
 * injects it and registers a handler, instead of firing a shared Subject of its own.
 */
@Injectable()
export class ShutdownSignal {
  private isFired = false;
  private readonly handlers = new Set<() => void>();

  get fired(): boolean {
    return this.isFired;
  }

  /** Runs `fn` once at shutdown (at once if it has begun); the returned function unregisters. */
  onShutdown(fn: () => void): () => void {
    if (this.isFired) {
      fn();
      return () => undefined;
    }
    this.handlers.add(fn);
    return () => this.handlers.delete(fn);
  }

  /** Fires every handler once; later calls do nothing. */
  fire(): void {
    if (this.isFired) return;
    this.isFired = true;
    const handlers = [...this.handlers];
    this.handlers.clear();
    for (const fn of handlers) fn();
  }
}
