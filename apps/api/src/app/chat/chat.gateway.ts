import { Logger, OnModuleDestroy, Optional, UnauthorizedException } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { z } from 'zod';

import {
  type Ack,
  type AuthRefreshAck,
  CHAT_CONTENT_MAX,
  CHAT_HISTORY_SIZE,
  CHAT_NAMESPACE,
  type ChatAck,
  type ChatErrorCode,
  type ChatSendRequest,
  type CodedError,
  type JoinAck,
  type LeaveAck,
  type Role,
  type TypingAck,
  roleAtLeast,
} from '@realtime/contracts';
import {
  AuthRefreshRequestSchema,
  ChatSendRequestSchema,
  JoinRequestSchema,
  LeaveRequestSchema,
  TypingRequestSchema,
  describeIssues,
} from '@realtime/contracts/schemas';

import { Metrics, secondsSince } from '../../infra/metrics/metrics';
import { logsAt, withTrace } from '../../infra/tracing/trace';
import { TokenService } from '../auth/token.service';
import { ChatService } from './chat.service';
import { ChatConnections, type ChatSocket } from './chat-connections';
import { ChatError } from './chat-error';
import { type ChatAction, ChatLimits } from './chat-limits';
import { ChatPresence, type ChatNamespace, roomChannel, userChannel } from './chat-presence';
import { ChatRoomsService } from './chat-rooms.service';

export { roomChannel, userChannel } from './chat-presence';
export type { ChatSocket } from './chat-connections';

/** The least role for each client event: viewers chat, so today every role may send each one. */
export const CHAT_EVENT_ROLES: Readonly<Record<string, Role>> = {
  join: 'viewer',
  leave: 'viewer',
  chat: 'viewer',
  typing: 'viewer',
  auth: 'viewer',
};

function failed(
  code: ChatErrorCode,
  message: string,
  extra: Partial<CodedError> = {},
): { ok: false; error: CodedError } {
  return { ok: false, error: { code, message, ...extra } };
}

/** The least role for `event`: CHAT_EVENT_ROLES, admin for anything it does not name. */
function requiredRole(event: string): Role {
  return CHAT_EVENT_ROLES[event] ?? 'admin';
}

function forbidden(event: string): { ok: false; error: CodedError } {
  const required = requiredRole(event);
  return failed('FORBIDDEN', `'${event}' needs the ${required} role (or a higher one)`, {
    requiredRole: required,
  });
}

/** The debug line of a handled event: its name and outcome. */
function handledLine(event: string, result: { ok: true } | { ok: false; error: CodedError }): string {
  return `'${event}' handled: ${result.ok ? 'ok' : result.error.code}`;
}

/** A JSON object as socket.io's parser makes it: not an array, not binary, not a primitive. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function parse<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { ok: true; value: z.output<S> } | { ok: false; error: CodedError } {
  if (!isPlainObject(body)) return failed('BAD_REQUEST', 'Expected a JSON object payload');
  const result = schema.safeParse(body);
  if (!result.success) return failed('BAD_REQUEST', describeIssues(result.error));
  return { ok: true, value: result.data };
}

/**
 * The `/chat` namespace's message handlers: each validates, takes the user's token for that
 * action, checks membership and delegates (rooms and messages to the services, fan-out to
 * socket.io rooms, which the Redis adapter carries across instances). Connection life
 * (handshake, caps, expiry, disconnect) is ChatConnections'; presence is ChatPresence's.
 */
@WebSocketGateway({ namespace: CHAT_NAMESPACE })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  @WebSocketServer() server!: ChatNamespace;

  private readonly logger = new Logger(ChatGateway.name);

  constructor(
    private readonly chat: ChatService,
    private readonly rooms: ChatRoomsService,
    private readonly tokens: TokenService,
    private readonly connections: ChatConnections,
    private readonly presence: ChatPresence,
    private readonly limits: ChatLimits,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  afterInit(nsp: ChatNamespace) {
    this.connections.attach(nsp);
  }

  handleConnection(socket: ChatSocket) {
    this.connections.connected(socket);
    socket.on('chat', (body: unknown, ack: unknown) => this.onChat(socket, body, ack));
  }

  handleDisconnect(socket: ChatSocket) {
    this.connections.disconnected(socket);
  }

  onModuleDestroy() {
    this.connections.destroy();
  }

  @SubscribeMessage('join')
  join(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown): Promise<JoinAck> {
    return this.run(socket, 'join', async () => {
      const req = parse(JoinRequestSchema, body);
      if (!req.ok) return req;
      const { roomId } = req.value;
      const { user } = socket.data;
      const limited = await this.limit('join', user.id);
      if (limited) return limited;
      await this.rooms.join(user, roomId, {
        // Creating through `join` spends a creation token too.
        beforeCreate: async () => {
          const refused = await this.limit('create', user.id);
          if (refused)
            throw new ChatError('RATE_LIMITED', refused.error.message, {
              retryAfterMs: refused.error.retryAfterMs,
            });
        },
      });
      // A socket that left meanwhile must not be added to the room as a ghost.
      if (!socket.connected) return failed('INTERNAL', 'Disconnected while joining');
      const already = socket.rooms.has(roomChannel(roomId));
      await socket.join(roomChannel(roomId));
      // Not marked read here: clients join every room of theirs in the background; the read
      // marker moves when a room is shown (PUT /api/chat/rooms/:roomId/read).
      const [page, members] = await Promise.all([
        this.chat.history(roomId, { limit: CHAT_HISTORY_SIZE }),
        this.presence.membersOf(roomId),
      ]);
      // A repeated join of this socket changes nobody's presence: no event.
      if (!already) this.server.to(roomChannel(roomId)).emit('presence', { roomId, members });
      return { ok: true, roomId, history: page.items, members, nextCursor: page.nextCursor };
    });
  }

  @SubscribeMessage('leave')
  leave(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown): Promise<LeaveAck> {
    return this.run(socket, 'leave', async () => {
      const req = parse(LeaveRequestSchema, body);
      if (!req.ok) return req;
      const { roomId } = req.value;
      const { user } = socket.data;
      const limited = await this.limit('leave', user.id);
      if (limited) return limited;
      const wasMember = await this.rooms.leave(roomId, user.id);
      if (this.connections.typing.stop(roomId, user.id)) this.connections.typingChanged(roomId, user, false);
      // Sent before the user's sockets leave, so that their other tabs learn it too.
      if (wasMember) await this.presence.broadcast(roomId);
      // The user leaves the room, not just this tab: every socket of theirs stops receiving it.
      this.server.in(userChannel(user.id)).socketsLeave(roomChannel(roomId));
      return { ok: true, roomId };
    });
  }

  /**
   * `chat`, the one event sent at volume, is a plain listener bound in `handleConnection`, not a
   * `@SubscribeMessage` handler: from the parsed packet to the message's batch it runs
   * synchronously (the in-process rate limit answers at once; with Redis it is one await), with
   * no Nest context (guards, pipes, interceptors, exception zone: promises and arrays on every
   * event), no `async` wrapper and no async-context scope of its own; the trace is bound only to a
   * line that is written. Measured with `npm run bench -- chat --targets ours --pairs 1` at
   * saturation: the server's CPU per delivered event went from 15.0 to 12.5–13.0 µs and its
   * deliveries from ~61,000 to ~69,000–70,000/s (docs/benchmarks.md). Same answers, codes and
   * metrics as the handlers above.
   * `send` is the event's answer as its ack would receive it.
   */
  send(socket: ChatSocket, body: unknown): Promise<ChatAck> {
    return new Promise((resolve) => this.onChat(socket, body, resolve));
  }

  private onChat(socket: ChatSocket, body: unknown, ack: unknown) {
    const startedAt = performance.now();
    const done = (result: ChatAck) => {
      if (logsAt('debug')) this.debugHandled(socket, 'chat', result);
      this.finish(socket, 'chat', startedAt, result, ack);
    };
    const fail = (err: unknown) => done(this.failure(socket, 'chat', err));
    try {
      const checked = this.checkChat(socket, body);
      if (!checked.ok) return done(checked);
      const { roomId, content, clientId } = checked.value;
      const { user } = socket.data;
      const send = (waitMs: number) => {
        if (waitMs > 0)
          return done(failed('RATE_LIMITED', 'Too many messages, slow down', { retryAfterMs: waitMs }));
        this.chat.send(user, roomId, content, clientId).then(({ message, duplicate }) => {
          if (duplicate) return done({ ok: true, message, duplicate: true });
          this.server.to(roomChannel(roomId)).emit('chat', message);
          // Clients clear the sender's indicator on a message; no `typing: false` needed for it.
          this.connections.typing.stop(roomId, user.id);
          this.connections.typingRelay.messageSent(roomId, user.id);
          done({ ok: true, message });
        }, fail);
      };
      const waitMs = this.limits.take('message', user.id);
      if (typeof waitMs === 'number') send(waitMs);
      else waitMs.then(send, fail);
    } catch (err) {
      fail(err);
    }
  }

  /** A `chat` event's checks before its rate limit: role, size, shape, membership. */
  private checkChat(
    socket: ChatSocket,
    body: unknown,
  ): { ok: true; value: ChatSendRequest } | { ok: false; error: CodedError } {
    if (!roleAtLeast(socket.data.role, requiredRole('chat'))) return forbidden('chat');
    // Checked before the schema so that an over-long message says so, whatever else is wrong.
    if (
      isPlainObject(body) &&
      typeof body['content'] === 'string' &&
      body['content'].length > CHAT_CONTENT_MAX
    ) {
      return failed('TOO_LONG', `content is longer than ${CHAT_CONTENT_MAX} characters`);
    }
    const req = parse(ChatSendRequestSchema, body);
    if (!req.ok) return req;
    // Membership of this socket is the check: joined (so stored as a member), and a leave,
    // a delete or an archive takes the room's sockets out.
    if (!socket.rooms.has(roomChannel(req.value.roomId)))
      return failed('NOT_MEMBER', `Join room ${req.value.roomId} first`);
    return req;
  }

  @SubscribeMessage('typing')
  typingUpdate(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown): Promise<TypingAck> {
    return this.run(socket, 'typing', async () => {
      const req = parse(TypingRequestSchema, body);
      if (!req.ok) return req;
      const { roomId, isTyping } = req.value;
      const { user } = socket.data;
      if (!socket.rooms.has(roomChannel(roomId))) return failed('NOT_MEMBER', `Join room ${roomId} first`);
      const limited = await this.limit('typing', user.id);
      if (limited) return limited;
      // At most a few relays a second per user and room; the expiry timer guarantees the
      // closing `isTyping: false`.
      // The relay decides what goes out (a repeat after its window is harmless: clients set
      // state, they do not toggle); the tracker only keeps the expiry.
      const typing = this.connections.typing;
      if (isTyping) typing.start(roomId, user, socket.id);
      else typing.stop(roomId, user.id);
      this.connections.typingChanged(roomId, user, isTyping);
      return { ok: true };
    });
  }

  /** In-band token refresh: a fresh token for the same user moves the socket's expiry. */
  @SubscribeMessage('auth')
  refresh(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown): Promise<AuthRefreshAck> {
    return this.run(socket, 'auth', async () => {
      const req = parse(AuthRefreshRequestSchema, body);
      if (!req.ok) return req;
      let verified;
      try {
        verified = await this.tokens.verify(req.value.token);
      } catch (err) {
        if (err instanceof UnauthorizedException) return failed('UNAUTHORIZED', err.message);
        throw err;
      }
      if (verified.id !== socket.data.user.id)
        return failed('UNAUTHORIZED', 'The token belongs to another user');
      if (socket.connected)
        this.connections.refreshed(socket, verified.tokenExp, verified.role, verified.sessionId);
      return { ok: true, expiresAt: verified.tokenExp };
    });
  }

  /** Takes one token of the user's bucket for `action`; a RATE_LIMITED failure when empty. */
  private async limit(action: ChatAction, userId: number): Promise<{ ok: false; error: CodedError } | null> {
    const waitMs = await this.limits.take(action, userId);
    return waitMs > 0
      ? failed('RATE_LIMITED', `Too many ${action} requests, slow down`, { retryAfterMs: waitMs })
      : null;
  }

  /**
   * Runs one event: whatever goes wrong becomes a coded failure (never an `exception` event
   * or a crash), and every failure is also sent as an `error` event.
   */
  private async run<T extends object>(
    socket: ChatSocket,
    event: string,
    work: () => Promise<Ack<T>>,
  ): Promise<Ack<T>> {
    const startedAt = performance.now();
    let result: Ack<T>;
    try {
      // Each event gets a trace id of its own, bound to every line logged while it runs.
      result = await withTrace(
        async () => {
          const outcome = roleAtLeast(socket.data.role, requiredRole(event))
            ? await work()
            : forbidden(event);
          if (logsAt('debug')) this.logger.debug(handledLine(event, outcome));
          return outcome;
        },
        undefined,
        { socketId: socket.id, socketEvent: event },
      );
    } catch (err) {
      result = this.failure(socket, event, err);
    }
    this.finish(socket, event, startedAt, result);
    return result;
  }

  /** The debug line of a listener of ours, under a trace of its own (as `run` gives Nest's handlers). */
  private debugHandled(socket: ChatSocket, event: string, result: Ack<object>) {
    withTrace(() => this.logger.debug(handledLine(event, result)), undefined, {
      socketId: socket.id,
      socketEvent: event,
    });
  }

  /** A thrown error as the event's answer: a ChatError's code, or INTERNAL (logged). */
  private failure(socket: ChatSocket, event: string, err: unknown): { ok: false; error: CodedError } {
    if (err instanceof ChatError) return { ok: false, error: err.toCoded() };
    withTrace(
      () =>
        this.logger.error(
          `'${event}' failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        ),
      undefined,
      { socketId: socket.id, socketEvent: event },
    );
    return failed('INTERNAL', 'Something went wrong; try again');
  }

  /**
   * An event's end: timed and counted, a failure also sent as an `error` event, and answered
   * through `ack` when the listener is ours (Nest answers its handlers' results itself).
   */
  private finish<T extends object>(
    socket: ChatSocket,
    event: string,
    startedAt: number,
    result: Ack<T>,
    ack?: unknown,
  ): void {
    this.metrics?.socketEvent(event, secondsSince(startedAt), result.ok);
    if (!result.ok && result.error.code === 'RATE_LIMITED') this.metrics?.rateLimited(`ws ${event}`);
    if (!result.ok && socket.connected) socket.emit('error', { ...result.error, event });
    if (typeof ack === 'function') ack(result);
  }
}
