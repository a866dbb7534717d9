import { EventEmitter } from 'node:events';

import type { INestApplicationContext } from '@nestjs/common';
import { from, isObservable, mergeAll, of } from 'rxjs';
import type { Socket } from 'socket.io';

import type { AppConfig } from '../../config/app-config';
import { SocketIoAdapter } from './socket-io.adapter';

/**
 * A socket.io socket as far as handler binding goes: listeners for client events, and `emit`,
 * which on a server socket sends to the client (recorded here).
 */
class FakeSocket extends EventEmitter {
  sent: Array<[string, unknown]> = [];
  override emit(event: string, data?: unknown): boolean {
    this.sent.push([event, data]);
    return true;
  }
  /** A client event arriving: socket.io calls the listeners with the payload, then the ack. */
  receive(event: string, ...args: unknown[]) {
    for (const listener of this.listeners(event)) listener(...args);
  }
}

describe('SocketIoAdapter.bindMessageHandlers', () => {
  const adapter = new SocketIoAdapter(
    {} as INestApplicationContext,
    { corsOrigins: [] } as unknown as AppConfig,
  );
  // Nest's own transform (WebSocketsController: pickResult, then mergeAll).
  const transform = (data: unknown) =>
    from(
      (async () => {
        const result = await data;
        return isObservable(result) ? result : of(result);
      })(),
    ).pipe(mergeAll());
  let socket: FakeSocket;

  beforeEach(() => {
    socket = new FakeSocket();
  });

  const receive = (event: string, ...args: unknown[]) => socket.receive(event, ...args);
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  function bind(callback: (data: unknown, ack: unknown) => unknown, isAckHandledManually = false) {
    adapter.bindMessageHandlers(
      socket as unknown as Socket,
      [{ message: 'join', methodName: 'join', callback: callback as never, isAckHandledManually }],
      transform,
    );
  }

  it("answers through the ack with the handler's resolved result", async () => {
    const handler = jest.fn(async (data: unknown) => ({ ok: true, data }));
    bind(handler);
    const ack = jest.fn();
    receive('join', { roomId: 'general' }, ack);
    await settle();
    expect(handler).toHaveBeenCalledWith({ roomId: 'general' }, ack);
    expect(ack).toHaveBeenCalledWith({ ok: true, data: { roomId: 'general' } });
  });

  it('emits `{ event, data }` results instead of acking, and answers nil with nothing', async () => {
    const results: unknown[] = [{ event: 'joined', data: { roomId: 'x' } }, undefined, null];
    bind(async () => results.shift());
    const ack = jest.fn();
    receive('join', {}, ack);
    receive('join', {}, ack);
    receive('join', {}, ack);
    await settle();
    expect(socket.sent).toEqual([['joined', { roomId: 'x' }]]);
    expect(ack).not.toHaveBeenCalled();
  });

  it('leaves the ack to a handler that takes it, and passes a payload-less ack as the ack', async () => {
    const manual = jest.fn(async () => ({ ok: true }));
    bind(manual, true);
    const ack = jest.fn();
    receive('join', ack);
    await settle();
    expect(manual).toHaveBeenCalledWith(undefined, ack);
    expect(ack).not.toHaveBeenCalled();
  });

  it('gives several arguments as an array, and answers every value of an observable result', async () => {
    const handler = jest.fn(async (data: unknown) => of({ n: 1, data }, { n: 2, data }));
    bind(handler);
    const ack = jest.fn();
    receive('join', 'a', 'b', ack);
    await settle();
    expect(handler).toHaveBeenCalledWith(['a', 'b'], ack);
    expect(ack.mock.calls).toEqual([[{ n: 1, data: ['a', 'b'] }], [{ n: 2, data: ['a', 'b'] }]]);
  });
});
