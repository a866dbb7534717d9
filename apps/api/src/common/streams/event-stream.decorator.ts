import type { IncomingMessage, ServerResponse } from 'node:http';

import { Get, Logger, Req, Res, applyDecorators } from '@nestjs/common';
import { ApiProduces } from '@nestjs/swagger';
import { Observable } from 'rxjs';

import { HubStream } from './stream-hub';
import { EVENT_STREAM_ROUTE } from './stream-routes';
import { SSE_MAX_PENDING_CHARS, writeSse } from './stream-sink';

const logger = new Logger('EventStream');

/**
 * `@Sse()` with the stream core behind it: a `GET` route whose handler returns an Observable of
 * `MessageEvent`s, as in Nest's own sample (`sample/28-sse`). A stream of the StreamHub is
 * written through the hub's fan-out (one framed `Buffer` per event, written to a plain set of
 * responses); any other Observable is subscribed and written the same way (`writeSse`).
 *
 * Why not Nest's `@Sse()`: it runs every event of every stream through an object-mode
 * `Transform`, rebuilds the frame's string per stream, and writes through a promise and a
 * `nextTick`; with 10,000 streams that was ~20 % of the API's CPU samples at saturation, and
 * the whole pipeline delivered 23,000 events/s where direct writes deliver 42,300 on the same
 * machine (docs/benchmarks.md, "before"). It would also subscribe per stream, which the hub's
 * fan-out exists to avoid. Errors thrown by the handler (a 429) become JSON answers as usual,
 * before any stream byte.
 */
export function EventStream(path?: string): MethodDecorator {
  const route = applyDecorators(Get(path), ApiProduces('text/event-stream'));
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const handler = descriptor.value as (...args: unknown[]) => Observable<never>;
    // The request and response are given to the route as two more arguments, after the
    // handler's own: the handler keeps its shape, and Nest leaves the response to us.
    const at = handler.length;
    Req()(target, key, at);
    Res()(target, key, at + 1);
    const stream = function (this: unknown, ...args: unknown[]) {
      const req = args[at] as IncomingMessage;
      const res = args[at + 1] as ServerResponse;
      const events = handler.apply(this, args.slice(0, at));
      if (events instanceof HubStream) events.writeTo(req, res);
      else if (events instanceof Observable)
        writeSse(req, res, events, { maxPendingBytes: SSE_MAX_PENDING_CHARS, logger });
      else throw new TypeError(`@EventStream() handler ${String(key)} must return an Observable`);
    };
    Object.defineProperty(stream, 'name', { value: handler.name });
    // Metadata set on the handler by decorators applied before this one (guards, roles …).
    for (const metadataKey of Reflect.getMetadataKeys(handler)) {
      Reflect.defineMetadata(metadataKey, Reflect.getMetadata(metadataKey, handler), stream);
    }
    Reflect.defineMetadata(EVENT_STREAM_ROUTE, true, stream);
    descriptor.value = stream;
    route(target, key, descriptor);
    return descriptor;
  };
}
