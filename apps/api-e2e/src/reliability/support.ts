import { once } from 'node:events';
import { type Server, type Socket, connect, createServer } from 'node:net';

/** A count from the environment (e.g. RELIABILITY_CYCLES=200), or the CI-sized default. */
export function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}="${raw}" must be a positive whole number`);
  return n;
}

/** Waits for `predicate` to hold, polling on a short interval, or fails after `timeoutMs`. */
export async function until<T>(
  predicate: () => T | undefined | false | null,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = predicate();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Pair {
  client: Socket;
  upstream: Socket;
  stalled: boolean;
}

/**
 * A TCP proxy between test clients and the API (127.0.0.1 only) that can break the
 * connections going through it: reset them (RST), drop them (FIN both ways), or stall them
 * (stop forwarding in both directions, so bytes pile up unseen until the next action).
 */
export class ChaosProxy {
  /** Connections accepted so far: a reconnect shows up as a new one. */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly pairs: Set<Pair>,
  ) {}

  static async start(targetPort: number): Promise<ChaosProxy> {
    const pairs = new Set<Pair>();
    let proxy: ChaosProxy | undefined;
    const server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      const pair: Pair = { client, upstream, stalled: false };
      pairs.add(pair);
      if (proxy) proxy.accepted++;
      client.pipe(upstream);
      upstream.pipe(client);
      const forget = () => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    proxy = new ChaosProxy(server, (server.address() as { port: number }).port, pairs);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get open(): number {
    return this.pairs.size;
  }

  /** Both ends get a TCP reset, as when a NAT or a load balancer forgets the connection. */
  resetAll(): number {
    const n = this.pairs.size;
    for (const { client, upstream } of [...this.pairs]) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.pairs.clear();
    return n;
  }

  /** Both ends see an orderly close (FIN), as when a proxy times a connection out. */
  dropAll(): number {
    const n = this.pairs.size;
    for (const { client, upstream } of [...this.pairs]) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.end();
      upstream.end();
    }
    return n;
  }

  /** Nothing is forwarded any more on the open connections: bytes wait in the proxy. */
  stallAll(): number {
    for (const pair of this.pairs) {
      pair.stalled = true;
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.client.pause();
      pair.upstream.pause();
    }
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.resetAll();
    const closed = once(this.server, 'close');
    this.server.close();
    await closed;
  }
}
