import { UnauthorizedException } from '@nestjs/common';

import type { SessionUser } from '@realtime/contracts';

import { ShutdownSignal } from '../../common/shutdown-signal';
import type { AppConfig } from '../../config/app-config';
import { LocalRateLimits } from '../../infra/rate-limit/user-rate-limit';
import type { TokenService } from '../auth/token.service';
import { PresenceService } from '../presence/presence.service';
import { ChatGateway, type ChatSocket, roomChannel, userChannel } from './chat.gateway';
import type { ChatService } from './chat.service';
import { ChatConnections } from './chat-connections';
import { ChatLimits } from './chat-limits';
import { ChatPresence } from './chat-presence';
import type { ChatRoomsService } from './chat-rooms.service';

interface Sent {
  to: string[];
  except: string[];
  event: string;
  data: unknown;
}

/** Just enough of a socket.io socket and namespace to drive the gateway without a network. */
class FakeSocket {
  data: Record<string, any> = {};
  rooms = new Set<string>();
  connected = true;
  emitted: Array<{ event: string; data: any }> = [];
  listeners = new Map<string, (...args: any[]) => void>();
  anyListener: ((event: string, ...args: unknown[]) => void) | undefined;
  disconnect = jest.fn(() => {
    this.connected = false;
  });

  constructor(
    readonly id: string,
    readonly handshake: { auth: Record<string, unknown>; headers: Record<string, string> } = {
      auth: {},
      headers: {},
    },
  ) {}

  emit(event: string, data: unknown) {
    this.emitted.push({ event, data });
  }
  async join(room: string) {
    this.rooms.add(room);
  }
  onAny(listener: (event: string, ...args: unknown[]) => void) {
    this.anyListener = listener;
  }
  once(event: string, listener: (...args: any[]) => void) {
    this.listeners.set(event, listener);
  }
  on(event: string, listener: (...args: any[]) => void) {
    this.listeners.set(event, listener);
  }
  errors() {
    return this.emitted.filter((e) => e.event === 'error').map((e) => e.data);
  }
}

class FakeNamespace {
  sockets: FakeSocket[] = [];
  sent: Sent[] = [];
  middleware: ((socket: FakeSocket, next: (err?: Error) => void) => void) | undefined;

  use(fn: (socket: FakeSocket, next: (err?: Error) => void) => void) {
    this.middleware = fn;
  }
  get local() {
    return this;
  }
  to(room: string | string[]) {
    return this.operator(([] as string[]).concat(room), []);
  }
  in(room: string | string[]) {
    return this.operator(([] as string[]).concat(room), []);
  }
  private operator(to: string[], except: string[]): any {
    return {
      except: (room: string) => this.operator(to, [...except, room]),
      emit: (event: string, data: unknown) => this.sent.push({ to, except, event, data }),
      fetchSockets: async () => this.sockets.filter((s) => to.some((r) => s.rooms.has(r))),
      socketsLeave: (room: string) => {
        for (const s of this.sockets) if (to.some((r) => s.rooms.has(r))) s.rooms.delete(room);
      },
    };
  }
  events(name: string) {
    return this.sent.filter((s) => s.event === name);
  }
}

const alice: SessionUser = { id: 1, username: 'alice', role: 'admin' };
const bob: SessionUser = { id: 2, username: 'bob', role: 'viewer' };
const free = { perSecond: 1000, burst: 1000 };
const config = {
  chatRateLimit: { perSecond: 10, burst: 2 },
  chat: {
    joinRate: free,
    typingRate: free,
    createRate: free,
    // Every change relayed at once here; the relay's window has its own spec.
    typingRelayMs: 0,
    roomsCreatedMax: 100,
    roomsJoinedMax: 100,
    joinCreatesRooms: true,
    unreadFlushMs: 1000,
  },
} as AppConfig;

describe('ChatGateway', () => {
  let nsp: FakeNamespace;
  let presence: PresenceService;
  let chat: jest.Mocked<ChatService>;
  let rooms: jest.Mocked<ChatRoomsService>;
  let tokens: { verify: jest.Mock };
  let gateway: ChatGateway;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000_000_000 });
    nsp = new FakeNamespace();
    presence = new PresenceService();
    rooms = {
      join: jest.fn(async () => ({ room: {}, created: false, wasMember: false })),
      leave: jest.fn(async () => true),
      markRead: jest.fn(async () => undefined),
      membersOf: jest.fn(
        async (ids: string[]) =>
          new Map(ids.map((id) => [id, [alice, bob].map((u) => ({ userId: u.id, username: u.username }))])),
      ),
    } as unknown as jest.Mocked<ChatRoomsService>;
    chat = {
      history: jest.fn(async () => ({ items: [], nextCursor: null })),
      send: jest.fn(async (user, roomId, content, clientId) => ({
        duplicate: false,
        message: {
          id: 7,
          clientId,
          roomId,
          senderId: user.id,
          senderName: user.username,
          content,
          timestamp: 1,
        },
      })),
    } as unknown as jest.Mocked<ChatService>;
    tokens = { verify: jest.fn() };
    const roomPresence = new ChatPresence(rooms);
    gateway = new ChatGateway(
      chat,
      rooms,
      tokens as unknown as TokenService,
      new ChatConnections(
        tokens as unknown as TokenService,
        presence,
        roomPresence,
        config,
        new ShutdownSignal(),
      ),
      roomPresence,
      new ChatLimits(config, new LocalRateLimits()),
    );
    gateway.server = nsp as never;
    gateway.afterInit(nsp as never);
  });
  afterEach(() => {
    gateway.onModuleDestroy();
    jest.useRealTimers();
  });

  const nowS = () => Math.floor(Date.now() / 1000);

  /** Runs the handshake middleware and, when it passes, the connection hook. */
  async function connect(
    id: string,
    user = alice,
    tokenExp = nowS() + 900,
  ): Promise<FakeSocket & ChatSocket> {
    const socket = new FakeSocket(id, { auth: { token: `token-of-${user.username}` }, headers: {} });
    tokens.verify.mockResolvedValueOnce({ ...user, tokenExp });
    const err = await new Promise<Error | undefined>((resolve) => nsp.middleware!(socket, resolve));
    expect(err).toBeUndefined();
    nsp.sockets.push(socket);
    gateway.handleConnection(socket as never);
    return socket as FakeSocket & ChatSocket;
  }

  function disconnect(socket: FakeSocket) {
    socket.listeners.get('disconnecting')?.();
    socket.rooms.clear();
    socket.connected = false;
    nsp.sockets = nsp.sockets.filter((s) => s !== socket);
    gateway.handleDisconnect(socket as never);
  }

  describe('handshake', () => {
    it('refuses with the reason of the token check', async () => {
      const socket = new FakeSocket('s1');
      tokens.verify.mockRejectedValueOnce(new UnauthorizedException('Access token expired'));
      const err = await new Promise<any>((resolve) => nsp.middleware!(socket, resolve));
      expect(err.message).toBe('Access token expired');
      expect(err.data).toEqual({ code: 'UNAUTHORIZED' });
      expect(tokens.verify).toHaveBeenCalledWith(undefined);
    });

    it('reads a Bearer header when auth has no token, and hides unexpected failures', async () => {
      const socket = new FakeSocket('s1', { auth: {}, headers: { authorization: 'Bearer abc' } });
      tokens.verify.mockRejectedValueOnce(new Error('database down'));
      jest.spyOn(gateway['connections']['logger'], 'error').mockImplementation(() => undefined);
      const err = await new Promise<any>((resolve) => nsp.middleware!(socket, resolve));
      expect(tokens.verify).toHaveBeenCalledWith('abc');
      expect(err.message).toBe('Authentication is unavailable, try again');
    });
  });

  describe('token expiry', () => {
    it('emits UNAUTHORIZED "token expired" and disconnects at the expiry', async () => {
      const socket = await connect('s1', alice, nowS() + 60);
      jest.advanceTimersByTime(59_000);
      expect(socket.disconnect).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1000);
      expect(socket.errors()).toEqual([{ code: 'UNAUTHORIZED', message: 'token expired' }]);
      expect(socket.disconnect).toHaveBeenCalledWith(true);
    });

    it('moves the expiry when a fresh token for the same user arrives in-band', async () => {
      const socket = await connect('s1', alice, nowS() + 60);
      tokens.verify.mockResolvedValueOnce({ ...alice, tokenExp: nowS() + 900 });
      expect(await gateway.refresh(socket, { token: 'fresh' })).toEqual({
        ok: true,
        expiresAt: nowS() + 900,
      });
      jest.advanceTimersByTime(60_000);
      expect(socket.disconnect).not.toHaveBeenCalled();
      jest.advanceTimersByTime(840_000);
      expect(socket.disconnect).toHaveBeenCalledTimes(1);
    });

    it('keeps the old expiry when the in-band token is for someone else', async () => {
      const socket = await connect('s1', alice, nowS() + 60);
      tokens.verify.mockResolvedValueOnce({ ...bob, tokenExp: nowS() + 900 });
      expect(await gateway.refresh(socket, { token: 'bobs' })).toEqual({
        ok: false,
        error: { code: 'UNAUTHORIZED', message: 'The token belongs to another user' },
      });
      jest.advanceTimersByTime(60_000);
      expect(socket.disconnect).toHaveBeenCalledTimes(1);
    });

    it('waits for lifetimes longer than a timer can hold', async () => {
      const socket = await connect('s1', alice, nowS() + 30 * 24 * 3600);
      jest.advanceTimersByTime(2 ** 31);
      expect(socket.disconnect).not.toHaveBeenCalled();
      jest.advanceTimersByTime(30 * 24 * 3600 * 1000 - 2 ** 31);
      expect(socket.disconnect).toHaveBeenCalledTimes(1);
    });
  });

  describe('events', () => {
    it('joins a room: socket in the room, ack with history and members, presence to the room', async () => {
      const socket = await connect('s1');
      const ack = await gateway.join(socket, { roomId: 'general' });
      expect(rooms.join).toHaveBeenCalledWith(alice, 'general', expect.anything());
      expect(socket.rooms.has(roomChannel('general'))).toBe(true);
      expect(ack).toEqual({
        ok: true,
        roomId: 'general',
        history: [],
        nextCursor: null,
        members: [
          { userId: 1, username: 'alice', online: true },
          { userId: 2, username: 'bob', online: false },
        ],
      });
      expect(nsp.events('presence')).toEqual([
        {
          to: [roomChannel('general')],
          except: [],
          event: 'presence',
          data: { roomId: 'general', members: ack.ok && ack.members },
        },
      ]);
    });

    it('answers bad payloads with BAD_REQUEST and an error event, without touching storage', async () => {
      const socket = await connect('s1');
      for (const body of [
        undefined,
        null,
        'general',
        42,
        ['general'],
        Buffer.from('x'),
        { roomId: 'A B' },
        { roomId: 'ok', x: 1 },
      ]) {
        expect(await gateway.join(socket, body)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      }
      expect(rooms.join).not.toHaveBeenCalled();
      expect(socket.errors()).toHaveLength(8);
      expect(socket.errors().every((e) => e.event === 'join' && e.code === 'BAD_REQUEST')).toBe(true);
    });

    it('checks length before shape, then membership, then the rate', async () => {
      const socket = await connect('s1');
      expect(await gateway.send(socket, { roomId: 'general', content: 'x'.repeat(2001) })).toMatchObject({
        error: { code: 'TOO_LONG' },
      });
      expect(await gateway.send(socket, { roomId: 'general', content: 'hi', clientId: 'c1' })).toMatchObject({
        error: { code: 'NOT_MEMBER' },
      });
      await gateway.join(socket, { roomId: 'general' });
      expect(
        await gateway.send(socket, { roomId: 'general', content: 'x'.repeat(2000), clientId: 'c1' }),
      ).toMatchObject({ ok: true });
      expect(await gateway.send(socket, { roomId: 'general', content: 'hi', clientId: 'c2' })).toMatchObject({
        ok: true,
      });
      const limited = await gateway.send(socket, { roomId: 'general', content: 'hi', clientId: 'c3' });
      expect(limited).toEqual({
        ok: false,
        error: { code: 'RATE_LIMITED', message: expect.any(String), retryAfterMs: 100 },
      });
      jest.advanceTimersByTime(100);
      expect(await gateway.send(socket, { roomId: 'general', content: 'hi', clientId: 'c3' })).toMatchObject({
        ok: true,
      });
      expect(nsp.events('chat')).toHaveLength(3);
    });

    it('answers `chat` through the listener bound at connection: the ack, and the message to the room', async () => {
      const socket = await connect('s1');
      await gateway.join(socket, { roomId: 'general' });
      const listener = socket.listeners.get('chat')!;
      const ack = await new Promise<any>((resolve) =>
        listener({ roomId: 'general', content: 'hi', clientId: 'l1' }, resolve),
      );
      expect(ack).toMatchObject({ ok: true, message: { roomId: 'general', content: 'hi', clientId: 'l1' } });
      expect(nsp.events('chat')).toEqual([
        expect.objectContaining({ to: ['room:general'], data: ack.message }),
      ]);
      const refused = await new Promise<any>((resolve) =>
        listener({ roomId: 'ops', content: 'hi' }, resolve),
      );
      expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      // Without an ack (a client that does not want one) the refusal is the `error` event alone.
      listener({ roomId: 'general' });
      expect(socket.errors().at(-1)).toMatchObject({ code: 'BAD_REQUEST', event: 'chat' });
    });

    it('does not deliver a duplicate again', async () => {
      const socket = await connect('s1');
      await gateway.join(socket, { roomId: 'general' });
      chat.send.mockResolvedValueOnce({
        duplicate: true,
        message: {
          id: 7,
          clientId: 'c1',
          roomId: 'general',
          senderId: 1,
          senderName: 'alice',
          content: 'hi',
          timestamp: 1,
        },
      });
      expect(await gateway.send(socket, { roomId: 'general', content: 'hi', clientId: 'c1' })).toMatchObject({
        ok: true,
        duplicate: true,
      });
      expect(nsp.events('chat')).toEqual([]);
    });

    it('turns an unexpected failure into INTERNAL, never a throw', async () => {
      const socket = await connect('s1');
      rooms.join.mockRejectedValueOnce(new Error('disk full'));
      jest.spyOn(gateway['logger'], 'error').mockImplementation(() => undefined);
      expect(await gateway.join(socket, { roomId: 'general' })).toEqual({
        ok: false,
        error: { code: 'INTERNAL', message: expect.any(String) },
      });
      expect(socket.errors()).toEqual([{ code: 'INTERNAL', message: expect.any(String), event: 'join' }]);
    });

    it('answers unknown events with UNKNOWN_EVENT, through the ack when there is one', async () => {
      const socket = await connect('s1');
      const ack = jest.fn();
      socket.anyListener!('shout', { a: 1 }, ack);
      socket.anyListener!('join', { roomId: 'general' }, jest.fn());
      socket.anyListener!('whisper');
      expect(ack).toHaveBeenCalledWith({
        ok: false,
        error: { code: 'UNKNOWN_EVENT', message: 'Unknown event "shout"' },
      });
      expect(socket.errors().map((e) => e.event)).toEqual(['shout', 'whisper']);
    });
  });

  describe('typing', () => {
    it('relays to the others only and expires 5 s after the last update', async () => {
      const socket = await connect('s1');
      await gateway.join(socket, { roomId: 'general' });
      expect(await gateway.typingUpdate(socket, { roomId: 'general', isTyping: true })).toEqual({ ok: true });
      jest.advanceTimersByTime(4000);
      await gateway.typingUpdate(socket, { roomId: 'general', isTyping: true });
      jest.advanceTimersByTime(4999);
      // The renewal goes out again (no relay window in this spec); receivers just set the state.
      expect(nsp.events('typing').map((t) => t.data)).toEqual([
        { roomId: 'general', userId: 1, username: 'alice', isTyping: true },
        { roomId: 'general', userId: 1, username: 'alice', isTyping: true },
      ]);
      jest.advanceTimersByTime(1);
      expect(nsp.events('typing')).toEqual([
        expect.anything(),
        expect.anything(),
        {
          to: [roomChannel('general')],
          except: [userChannel(1)],
          event: 'typing',
          data: { roomId: 'general', userId: 1, username: 'alice', isTyping: false },
        },
      ]);
      expect(jest.getTimerCount()).toBe(1); // only the token expiry is left
    });

    it('is refused outside a joined room', async () => {
      const socket = await connect('s1');
      expect(await gateway.typingUpdate(socket, { roomId: 'general', isTyping: true })).toMatchObject({
        error: { code: 'NOT_MEMBER' },
      });
    });

    it('ends when the typist sends the message or leaves', async () => {
      const socket = await connect('s1');
      await gateway.join(socket, { roomId: 'general' });
      await gateway.typingUpdate(socket, { roomId: 'general', isTyping: true });
      await gateway.send(socket, { roomId: 'general', content: 'hi', clientId: 'c1' });
      await gateway.typingUpdate(socket, { roomId: 'general', isTyping: true });
      expect(await gateway.leave(socket, { roomId: 'general' })).toEqual({ ok: true, roomId: 'general' });
      expect(socket.rooms.has(roomChannel('general'))).toBe(false);
      // The message itself ends the indicator on every client: no `false` for it; the leave sends one.
      expect(nsp.events('typing').map((t) => (t.data as { isTyping: boolean }).isTyping)).toEqual([
        true,
        true,
        false,
      ]);
      expect(jest.getTimerCount()).toBe(1);
    });
  });

  describe('disconnect', () => {
    it('releases presence, clears every timer and tells the rooms', async () => {
      const a = await connect('s1');
      const b = await connect('s2', bob);
      expect(presence.activeUsers()).toBe(2);
      await gateway.join(a, { roomId: 'general' });
      await gateway.join(b, { roomId: 'general' });
      await gateway.typingUpdate(a, { roomId: 'general', isTyping: true });
      nsp.sent = [];

      disconnect(a);
      await jest.advanceTimersByTimeAsync(0);
      expect(presence.activeUsers()).toBe(1);
      expect(presence.connections('chat')).toBe(1);
      expect(nsp.events('typing').map((t) => t.data)).toEqual([
        { roomId: 'general', userId: 1, username: 'alice', isTyping: false },
      ]);
      expect(nsp.events('presence').map((p) => p.data)).toEqual([
        {
          roomId: 'general',
          members: [
            { userId: 1, username: 'alice', online: false },
            { userId: 2, username: 'bob', online: true },
          ],
        },
      ]);
      disconnect(b);
      // The presence batch runs on immediates, one between batches.
      for (let i = 0; i < 5; i++) await jest.advanceTimersByTimeAsync(1);
      expect(jest.getTimerCount()).toBe(0);
      expect(presence.activeUsers()).toBe(0);
    });

    it('does not add a socket that left during join to the room', async () => {
      const socket = await connect('s1');
      rooms.join.mockImplementationOnce(async () => {
        socket.connected = false;
        return { room: {} as never, created: false, wasMember: false };
      });
      expect(await gateway.join(socket, { roomId: 'general' })).toMatchObject({ ok: false });
      expect(socket.rooms.has(roomChannel('general'))).toBe(false);
    });
  });
});
