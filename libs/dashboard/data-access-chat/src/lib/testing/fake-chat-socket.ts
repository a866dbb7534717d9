import type { ChatClientEventName } from '@realtime/contracts';

import type { ChatSocket } from '../chat-socket';

type Listener = (...args: never[]) => void;
type Handler = (payload: Record<string, unknown>) => object | Promise<object>;

/** A fake socket: the test plays the server, answering requests with `handlers`. */
export class FakeChatSocket implements ChatSocket {
  readonly listeners = new Map<string, Listener[]>();
  readonly requests: { event: ChatClientEventName; payload: Record<string, unknown> }[] = [];
  opened = false;
  closed = false;
  private pending: (() => void)[] = [];

  constructor(
    readonly token: string | null,
    private readonly handlers: Partial<Record<ChatClientEventName, Handler>>,
  ) {}

  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  request<A>(event: ChatClientEventName, payload: object, _timeoutMs: number): Promise<A> {
    this.requests.push({ event, payload: payload as Record<string, unknown> });
    return new Promise<A>((resolve, reject) => {
      const handler = this.handlers[event];
      if (!handler) return resolve({ ok: true } as A);
      this.pending.push(() => reject(new Error('socket has been disconnected')));
      void Promise.resolve(handler(payload as Record<string, unknown>)).then((r) => resolve(r as A), reject);
    });
  }

  open(): void {
    this.opened = true;
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    for (const reject of this.pending) reject();
    this.pending = [];
  }

  /** Server side: fire an event at the client. */
  fire(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => void)(...args);
  }

  sent(event: ChatClientEventName): Record<string, unknown>[] {
    return this.requests.filter((r) => r.event === event).map((r) => r.payload);
  }
}
