import type { BroadcastChannelLike, LockManagerLike } from '../tab-election';

/**
 * The BroadcastChannels of one browser: a message goes to every other open channel of the
 * same name (never back to its sender), as a copy, when the test calls `flush()`, in order.
 */
export class FakeBroadcastWorld {
  private readonly open = new Set<FakeBroadcastChannel>();
  private queue: { to: FakeBroadcastChannel; data: unknown }[] = [];
  /** Every message posted, for assertions. */
  readonly posted: { name: string; data: unknown }[] = [];

  factory = (name: string): BroadcastChannelLike => {
    const channel = new FakeBroadcastChannel(name, this);
    this.open.add(channel);
    return channel;
  };

  send(from: FakeBroadcastChannel, data: unknown): void {
    this.posted.push({ name: from.name, data });
    for (const to of this.open)
      if (to !== from && to.name === from.name)
        this.queue.push({ to, data: JSON.parse(JSON.stringify(data)) });
  }

  close(channel: FakeBroadcastChannel): void {
    this.open.delete(channel);
  }

  /** Delivers until nothing is left (answers included). */
  flush(): void {
    while (this.queue.length) {
      const { to, data } = this.queue.shift()!;
      if (this.open.has(to)) to.onmessage?.({ data } as MessageEvent);
    }
  }

  openCount(name: string): number {
    return [...this.open].filter((c) => c.name === name).length;
  }
}

export class FakeBroadcastChannel implements BroadcastChannelLike {
  onmessage: ((event: MessageEvent) => void) | null = null;

  constructor(
    readonly name: string,
    private readonly world: FakeBroadcastWorld,
  ) {}

  postMessage(message: unknown): void {
    this.world.send(this, message);
  }

  close(): void {
    this.world.close(this);
  }
}

/** `navigator.locks` for exclusive locks: granted in request order, released when the callback's promise settles. */
export class FakeLocks implements LockManagerLike {
  private readonly held = new Set<string>();
  private readonly waiting: { name: string; grant: () => void; signal?: AbortSignal }[] = [];

  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const grant = () => {
        this.held.add(name);
        callback({ name })
          .then(resolve, reject)
          .finally(() => {
            this.held.delete(name);
            this.next(name);
          });
      };
      options.signal?.addEventListener('abort', () => {
        const i = this.waiting.findIndex((w) => w.grant === grant);
        if (i < 0) return;
        this.waiting.splice(i, 1);
        reject(new DOMException('aborted', 'AbortError'));
      });
      if (this.held.has(name)) this.waiting.push({ name, grant, signal: options.signal });
      else grant();
    });
  }

  private next(name: string): void {
    const i = this.waiting.findIndex((w) => w.name === name);
    if (i >= 0) this.waiting.splice(i, 1)[0].grant();
  }
}

/** Lets promise callbacks (lock grants and releases) run; no time passes. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** An EventSource that the test drives. */
export class FakeEventSource {
  static all: FakeEventSource[] = [];
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  closed = false;
  private listeners = new Map<string, Set<(e: Event) => void>>();

  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  static get open(): FakeEventSource[] {
    return FakeEventSource.all.filter((s) => !s.closed);
  }
  static factory = (url: string) => new FakeEventSource(url) as unknown as EventSource;

  addEventListener(name: string, fn: (e: Event) => void) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name)!.add(fn);
  }
  removeEventListener(name: string, fn: (e: Event) => void) {
    this.listeners.get(name)?.delete(fn);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.(new Event('open'));
  }
  fail() {
    this.onerror?.(new Event('error'));
  }
  emit(name: string, id: string, data: unknown) {
    const e = { type: name, lastEventId: id, data: JSON.stringify(data) } as unknown as Event;
    this.listeners.get(name)?.forEach((fn) => fn(e));
  }
}
