import { InjectionToken } from '@angular/core';
import { Observable } from 'rxjs';

/** Creates the browser's EventSource; tests provide a fake. */
export type EventSourceFactory = (url: string) => EventSource;

export const EVENT_SOURCE_FACTORY = new InjectionToken<EventSourceFactory>('EVENT_SOURCE_FACTORY', {
  providedIn: 'root',
  // Same origin: the HttpOnly stream cookie goes along, so no credential is put in the URL.
  factory: () => (url: string) => new EventSource(url),
});

export type SseMessage =
  | { type: 'open' }
  | { type: 'event'; event: string; id: string; data: string; receivedAt: number };

/** Raised when the stream breaks; the native EventSource is already closed by then. */
export class StreamLostError extends Error {
  constructor(readonly url: string) {
    super('The live connection was lost.');
    this.name = 'StreamLostError';
  }
}

/**
 * A cold Observable of one EventSource: it opens on subscribe, emits `open` and then the named
 * events, and closes the EventSource on unsubscribe. On the first error it closes it and
 * errors, so that the caller reconnects with its own policy rather than the browser's.
 */
export function fromEventSource(
  url: string,
  eventNames: readonly string[],
  factory: EventSourceFactory,
  clock: () => number = Date.now,
): Observable<SseMessage> {
  return new Observable<SseMessage>((subscriber) => {
    const source = factory(url);
    const onMessage = (e: Event) => {
      const m = e as MessageEvent<string>;
      subscriber.next({ type: 'event', event: m.type, id: m.lastEventId, data: m.data, receivedAt: clock() });
    };
    source.onopen = () => subscriber.next({ type: 'open' });
    source.onerror = () => {
      source.close();
      subscriber.error(new StreamLostError(url));
    };
    for (const name of eventNames) source.addEventListener(name, onMessage);
    return () => {
      for (const name of eventNames) source.removeEventListener(name, onMessage);
      source.onopen = null;
      source.onerror = null;
      source.close();
    };
  });
}
