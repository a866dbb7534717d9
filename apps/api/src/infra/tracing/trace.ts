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

type PinoRoot = PinoLogger['logger'];

/**
 * nestjs-pino's Store, with the child logger (and the trace id) made when a line is first
 * written or the id first read. Socket events run under a trace each, and at the production
 * level (warn) almost none logs: building a pino child (its bindings serialised) and a UUID for
 * each of thousands of events a second was garbage for nothing (docs/benchmarks.md, issue 15).
 */
class LazyTraceStore {
  readonly responseLogger = undefined;
  private made: PinoRoot | undefined;

  constructor(
    private readonly root: PinoRoot,
    private readonly traceId: string | undefined,
    private readonly bindings: object,
  ) {}

  get logger(): PinoRoot {
    return (this.made ??= this.root.child({ traceId: this.traceId ?? randomUUID(), ...this.bindings }));
  }

  /** nestjs-pino's `assign` replaces the logger with a child of it. */
  set logger(logger: PinoRoot) {
    this.made = logger;
  }
}

/** Runs `work` with `traceId` (a new one if omitted) bound to every log line it writes. */
export function withTrace<T>(work: () => T, traceId?: string, bindings: object = {}): T {
  const root = PinoLogger.root as PinoRoot | undefined;
  if (!root) return work(); // no pino (unit tests): nothing to bind
  return storage.run(new LazyTraceStore(root, traceId, bindings) as unknown as Store, work);
}

/**
 * Whether lines at `level` are written at all: a hot path skips building a line (and the
 * trace's logger) that would be dropped. True without pino (unit tests log through Nest).
 */
export function logsAt(level: 'debug' | 'info'): boolean {
  const root = PinoLogger.root as PinoRoot | undefined;
  return root ? root.isLevelEnabled(level) : true;
}

/** A trace id as it may travel (bus messages, headers): short, no spaces or separators. */
export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && /^[\w-]{1,64}$/.test(value);
}
