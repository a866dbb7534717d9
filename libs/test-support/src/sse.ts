import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  retry?: number;
}

/**
 * A raw SSE client over `node:http`: it sees every byte (comments, `retry:`), lets a test
 * wait for the next event, and closes for good. The `eventsource` package is used where a
 * test wants the behaviour of a real EventSource.
 */
export class RawSse {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  status = 0;
  headers: IncomingMessage['headers'] = {};
  body = '';
  closed = false;
  private buffer = '';
  private waiters: Array<() => void> = [];
  private req: ClientRequest | undefined;

  static open(url: string, headers: Record<string, string> = {}): Promise<RawSse> {
    const sse = new RawSse();
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        sse.status = res.statusCode ?? 0;
        sse.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => sse.feed(chunk));
        res.on('end', () => sse.markClosed());
        res.on('close', () => sse.markClosed());
        res.on('error', () => sse.markClosed());
        resolve(sse);
      });
      sse.req = req;
      req.on('error', (err) => {
        sse.markClosed();
        reject(err);
      });
      req.end();
    });
  }

  private markClosed() {
    this.closed = true;
    this.notify();
  }

  private notify() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  private feed(chunk: string) {
    this.body += chunk;
    this.buffer += chunk;
    let idx: number;
    while ((idx = this.buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = this.buffer.slice(0, idx);
      this.buffer = this.buffer.slice(idx).replace(/^\r?\n\r?\n/, '');
      this.parseBlock(block);
    }
    this.notify();
  }

  private parseBlock(block: string) {
    const event: SseEvent = { event: 'message', data: '' };
    const data: string[] = [];
    let hasField = false;
    for (const line of block.split(/\r?\n/)) {
      if (line === '') continue;
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      hasField = true;
      if (field === 'data') data.push(value);
      else if (field === 'event') event.event = value;
      else if (field === 'id') event.id = value;
      else if (field === 'retry') {
        event.retry = Number(value);
        this.retry = Number(value);
      }
    }
    if (!hasField || (data.length === 0 && event.retry !== undefined && event.event === 'message')) return;
    event.data = data.join('\n');
    if (data.length) this.events.push(event);
  }

  /** Resolves once `predicate` holds over what has arrived, or rejects after `timeoutMs`. */
  async until<T>(
    predicate: (s: RawSse) => T | undefined | false,
    timeoutMs = 15_000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = predicate(this);
      if (result) return result;
      if (this.closed) throw new Error(`stream closed before ${what}; received:\n${this.body.slice(-2000)}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`timed out waiting for ${what}; received:\n${this.body.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` events named `name` have arrived and returns them. */
  async waitForEvents(name: string, count = 1, timeoutMs?: number): Promise<SseEvent[]> {
    return this.until(
      (s) => {
        const got = s.events.filter((e) => e.event === name);
        return got.length >= count ? got : undefined;
      },
      timeoutMs,
      `${count} '${name}' event(s)`,
    );
  }

  close() {
    this.req?.destroy();
    this.closed = true;
  }
}
