import { EventSource } from 'eventsource';

import type { NotificationEventType } from '@realtime/contracts';
import { type ApiProcess, RawSse, request } from '@realtime/test-support';

export const STREAM_PATH = '/api/notifications/stream';

/** What a test compares: an event's name, id and parsed data. */
export interface Received {
  type: string;
  id: string;
  // Parsed wire JSON: tests compare it with what the REST answers returned.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

export function openStream(api: ApiProcess, token: string, headers: Record<string, string> = {}, query = '') {
  return RawSse.open(`${api.baseUrl}${STREAM_PATH}${query}`, {
    authorization: `Bearer ${token}`,
    ...headers,
  });
}

export function parsed(sse: RawSse, name?: string): Received[] {
  return sse.events
    .filter((e) => !name || e.event === name)
    .map((e) => ({ type: e.event, id: e.id ?? '', data: JSON.parse(e.data) }));
}

export function notify(
  api: ApiProcess,
  token: string,
  body: { userId: number | string; title: string; message: string; type?: string },
) {
  return request(api, 'POST', '/api/notifications', { token, body });
}

const EVENT_TYPES: NotificationEventType[] = [
  'connected',
  'notification',
  'notification-read',
  'notification-deleted',
];

/**
 * The `eventsource` package (the WHATWG EventSource for Node) with a bearer token: it
 * reconnects on its own and sends `Last-Event-ID`, as a browser does.
 */
export class TokenEventSource {
  readonly received: Received[] = [];
  readonly errors: Array<{ code?: number; message?: string }> = [];
  private readonly source: EventSource;
  private waiters: Array<() => void> = [];

  constructor(url: string, token: string) {
    this.source = new EventSource(url, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${token}` },
        }),
    });
    for (const type of EVENT_TYPES) {
      this.source.addEventListener(type, (event) => {
        this.received.push({ type, id: event.lastEventId, data: JSON.parse(event.data) });
        this.notify();
      });
    }
    this.source.addEventListener('error', (event) => {
      this.errors.push({
        code: (event as { code?: number }).code,
        message: (event as { message?: string }).message,
      });
      this.notify();
    });
  }

  get readyState(): number {
    return this.source.readyState;
  }

  private notify() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  /** Resolves once `predicate` holds over what has arrived; rejects after `timeoutMs`. */
  async until<T>(predicate: (received: Received[]) => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = predicate(this.received);
      if (result) return result;
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(
          `timed out (readyState ${this.readyState}); received: ${JSON.stringify(this.received)}; errors: ${JSON.stringify(this.errors)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  of(type: string): Received[] {
    return this.received.filter((e) => e.type === type);
  }

  close() {
    this.source.close();
  }
}
