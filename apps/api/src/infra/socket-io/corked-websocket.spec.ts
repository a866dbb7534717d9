import { type AddressInfo } from 'node:net';
import { createServer, type Server as HttpServer } from 'node:http';
import type { Socket as NetSocket } from 'node:net';

import { transports } from 'engine.io';
import { Server, type Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';

import { CorkedWebSocket, useCorkedWebSockets } from './corked-websocket';

/** The TCP socket under a server-side socket.io socket, with its writes counted. */
function countWrites(socket: Socket) {
  const tcp = (socket.conn as unknown as { transport: { socket: { _socket: NetSocket } } }).transport.socket
    ._socket;
  const writes = { calls: 0 };
  for (const method of ['_write', '_writev'] as const) {
    const original = tcp[method] as (...args: unknown[]) => void;
    tcp[method] = ((...args: unknown[]) => {
      writes.calls++;
      return original.apply(tcp, args);
    }) as never;
  }
  return writes;
}

/** Resolves with the events `client` receives until `count` have arrived. */
function receive(client: ClientSocket, count: number): Promise<Array<[string, unknown]>> {
  const got: Array<[string, unknown]> = [];
  return new Promise((resolve) => {
    client.onAny((event: string, data: unknown) => {
      got.push([event, data]);
      if (got.length === count) resolve(got);
    });
  });
}

describe('CorkedWebSocket', () => {
  const original = transports.websocket;
  let http: HttpServer;
  let io: Server;
  let url: string;
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    useCorkedWebSockets();
    http = createServer();
    io = new Server(http, { transports: ['websocket'] });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    clients.splice(0).forEach((c) => c.disconnect());
    io.removeAllListeners('connection');
  });

  afterAll(async () => {
    (transports as { websocket: typeof original }).websocket = original;
    await io.close();
  });

  /** A connected client and its server-side socket. */
  async function pair(): Promise<{ client: ClientSocket; socket: Socket }> {
    const connected = new Promise<Socket>((resolve) => io.once('connection', resolve));
    const client = connect(url, { transports: ['websocket'], forceNew: true });
    clients.push(client);
    const socket = await connected;
    await new Promise<void>((resolve) => (client.connected ? resolve() : client.once('connect', resolve)));
    return { client, socket };
  }

  it('serves WebSocket connections once installed', async () => {
    const { socket } = await pair();
    expect(socket.conn.transport).toBeInstanceOf(CorkedWebSocket);
  });

  it('writes the frames of one tick to a connection in one write, in order', async () => {
    const { client, socket } = await pair();
    const writes = countWrites(socket);
    const got = receive(client, 3);
    socket.emit('a', 1);
    socket.emit('b', 2);
    socket.emit('c', 3);
    expect(await got).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(writes.calls).toBe(1);
  });

  it("joins a room broadcast and a direct emit of the same tick, and every member's frames", async () => {
    const one = await pair();
    const two = await pair();
    for (const { socket } of [one, two]) socket.join('room');
    const writes = [countWrites(one.socket), countWrites(two.socket)];
    const got = [receive(one.client, 3), receive(two.client, 2)];
    io.to('room').emit('chat', 'first');
    one.socket.emit('ack', 'yours');
    io.to('room').emit('chat', 'second');
    expect(await got[0]).toEqual([
      ['chat', 'first'],
      ['ack', 'yours'],
      ['chat', 'second'],
    ]);
    expect(await got[1]).toEqual([
      ['chat', 'first'],
      ['chat', 'second'],
    ]);
    expect(writes.map((w) => w.calls)).toEqual([1, 1]);
  });

  it("closes the gate past the socket's high-water mark, and sends the rest after the write", async () => {
    const { client, socket } = await pair();
    const writes = countWrites(socket);
    const got = receive(client, 3);
    const large = 'x'.repeat(64 * 1024);
    socket.emit('large', large);
    socket.emit('small', 1);
    socket.emit('small', 2);
    expect(await got).toEqual([
      ['large', large],
      ['small', 1],
      ['small', 2],
    ]);
    expect(writes.calls).toBe(2);
  });

  it('keeps sending in later ticks (the gate reopens)', async () => {
    const { client, socket } = await pair();
    for (let i = 0; i < 3; i++) {
      const got = receive(client, 1);
      socket.emit('tick', i);
      expect(await got).toEqual([['tick', i]]);
      client.offAny();
    }
  });

  it('delivers what was sent before a disconnect of the same tick, then disconnects', async () => {
    const { client, socket } = await pair();
    const events: string[] = [];
    const closed = new Promise<void>((resolve) =>
      client.on('disconnect', (reason) => {
        events.push(`disconnect:${reason}`);
        resolve();
      }),
    );
    client.on('error-event', (data: string) => events.push(data));
    socket.emit('error-event', 'expired');
    socket.disconnect(true);
    await closed;
    expect(events).toEqual(['expired', 'disconnect:io server disconnect']);
  });
});
