import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionGuardOptions {
  /** Open connections one address may hold; the next is answered 429 and closed. */
  maxPerAddress: number;
  /** A connection that has not sent complete request headers by then is answered 408 and closed. */
  headersTimeoutMs: number;
  /** A request whose body is not in by then is answered 408 (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** Peers exempt from the per-address cap: the trusted reverse proxies, which carry many clients. */
  isTrustedProxy: (address: string) => boolean;
}

function rawResponse(status: number, reason: string, message: string): string {
  const body = JSON.stringify({ statusCode: status, message, error: reason });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** `::ffff:127.0.0.1` → `127.0.0.1`, so one client counts once whichever way the stack reports it. */
function addressOf(socket: Socket): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/**
 * Slow and idle connections from one address cannot starve the others: each address may hold
 * `maxPerAddress` open connections (the next gets a 429 at once and is closed, before any byte of
 * it is read), and a connection must finish its request headers within `headersTimeoutMs` (a
 * 408, then closed) — measured per connection from its first byte of life, not on Node's 30 s
 * sweep. Streams and WebSockets, once their request is in, are not cut. Returns the live count
 * per address (for health and tests).
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions): Map<string, number> {
  const open = new Map<string, number>();
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs;
  // Node applies both only when its sweep runs; the timer below cuts a silent connection on time.

  const awaitingHeaders = new WeakMap<Socket, ReturnType<typeof setTimeout>>();
  const headersIn = (socket: Socket) => {
    const timer = awaitingHeaders.get(socket);
    if (timer) clearTimeout(timer);
    awaitingHeaders.delete(socket);
  };

  const refusal = Buffer.from(
    rawResponse(
      429,
      'Too Many Requests',
      `Too many open connections from one address (at most ${options.maxPerAddress})`,
    ),
  );
  // A refused connection must cost next to nothing, or refusing a flood of them starves the
  // others just the same: it is answered and closed before Node's HTTP server (parser, timers)
  // or anyone else listening for connections sees it.
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'connection' && !admit(args[0] as Socket)) return true;
    return emit(event, ...args);
  }) as typeof server.emit;

  const admit = (socket: Socket): boolean => {
    const address = addressOf(socket);
    if (options.isTrustedProxy(address)) return watchHeaders(socket);
    const count = open.get(address) ?? 0;
    if (count >= options.maxPerAddress) {
      socket.on('error', () => undefined);
      socket.end(refusal, () => socket.destroy());
      return false;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
    return watchHeaders(socket);
  };

  const watchHeaders = (socket: Socket): true => {
    const timer = setTimeout(() => {
      awaitingHeaders.delete(socket);
      socket.end(rawResponse(408, 'Request Timeout', 'Request headers not received in time'), () =>
        socket.destroy(),
      );
    }, options.headersTimeoutMs);
    timer.unref();
    awaitingHeaders.set(socket, timer);
    socket.once('close', () => headersIn(socket));
    return true;
  };
  server.prependListener('request', (req) => headersIn(req.socket));
  server.prependListener('upgrade', (req) => headersIn(req.socket));
  return open;
}
