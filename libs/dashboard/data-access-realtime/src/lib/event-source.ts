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

/** The server refused the stream because it no longer accepts the session. */
export class SessionRejectedError extends Error {
  constructor(readonly url: string) {
    super('The server refused the session.');
    this.name = 'SessionRejectedError';
  }
}

/**
 * Asked after the server refused a stream (an HTTP error, not a dropped connection): resolves
 * false when the refusal was the session's (then already reported to the auth store), true when
 * it was something else (a gateway's 502 while the API restarts).
 */
export type SessionCheck = () => Promise<boolean>;

export const SESSION_CHECK = new InjectionToken<SessionCheck>('SESSION_CHECK', {
  providedIn: 'root',
  factory: () => () => Promise.resolve(true),
});

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
  checkSession?: SessionCheck,
): Observable<SseMessage> {
  return new Observable<SseMessage>((subscriber) => {
    const source = factory(url);
    const onMessage = (e: Event) => {
      const m = e as MessageEvent<string>;
      subscriber.next({ type: 'event', event: m.type, id: m.lastEventId, data: m.data, receivedAt: clock() });
    };
    source.onopen = () => subscriber.next({ type: 'open' });
    source.onerror = () => {
      // CLOSED: the server answered with an error status (the browser gives no status code);
      // CONNECTING: the connection dropped. Only the first may be about the session.
      const refused = source.readyState === 2;
      source.close();
      source.onerror = null;
      if (!refused || !checkSession) return subscriber.error(new StreamLostError(url));
      checkSession().then(
        (accepted) => subscriber.error(accepted ? new StreamLostError(url) : new SessionRejectedError(url)),
        () => subscriber.error(new StreamLostError(url)),
      );
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
