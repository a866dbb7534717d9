import type { Socket as NetSocket } from 'node:net';

import { transports } from 'engine.io';

type Packets = Parameters<InstanceType<typeof transports.websocket>['send']>[0];

/** The TCP sockets corked during this tick, uncorked together once it ends. */
let corked: NetSocket[] = [];

function uncorkAll() {
  const sockets = corked;
  corked = [];
  for (const socket of sockets) socket.uncork();
}

/**
 * engine.io's WebSocket transport, with every frame a connection is sent in one tick written
 * to its TCP socket in one `writev` instead of one each. A chat message reaches its sender twice
 * in the same tick (the room's `chat` event and the ack), and a batch of stored messages reaches
 * a room's members once per message: engine.io writes the first frame, closes its gate until that
 * write's callback, then writes what waited frame by frame. Here the TCP socket is corked at the
 * first frame of a tick (uncorked on `process.nextTick`, before any I/O), and the gate stays open
 * while it is: the frames queue in order in the socket's buffer, and their callbacks (engine.io's
 * drain, per send, as before) run once the one write is done.
 *
 * Measured with `npm run bench -- chat` at saturation: `writev` was 65 % of the server's samples
 * (76 % in plain socket.io), about one system call per frame (docs/benchmarks.md, "Chat, third
 * round"); with it, 27 %, and ours delivers 1.15× plain socket.io's events. Backpressure is
 * kept: once a socket's buffer passes its high-water mark (a client that does not read, a large
 * tick), the gate closes as before and engine.io queues until the write is done.
 */
export class CorkedWebSocket extends transports.websocket {
  override send(packets: Packets): void {
    // engine.io keeps the ws socket private; ws keeps its TCP socket as `_socket`.
    const tcp = (this as unknown as { socket?: { _socket?: NetSocket } }).socket?._socket;
    if (!tcp || tcp.destroyed) return super.send(packets);
    if (tcp.writableCorked === 0) {
      tcp.cork();
      if (corked.push(tcp) === 1) process.nextTick(uncorkAll);
    }
    super.send(packets);
    // Open while the socket's buffer is under its high-water mark; past it, engine.io queues
    // the next packets until this write's callback, as it always did (and drops volatile ones).
    if (!tcp.writableNeedDrain) this.writable = true;
  }
}

/** Makes every engine.io server of this process use CorkedWebSocket for WebSocket connections. */
export function useCorkedWebSockets(): void {
  (transports as { websocket: typeof transports.websocket }).websocket = CorkedWebSocket;
}
