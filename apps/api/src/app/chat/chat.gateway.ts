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

function fail(
  code: ChatErrorCode,
  message: string,
  extra: Partial<CodedError> = {},
): { ok: false; error: CodedError } {
  return { ok: false, error: { code, message, ...extra } };
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
  if (!isPlainObject(body)) return fail('BAD_REQUEST', 'Expected a JSON object payload');
  const result = schema.safeParse(body);
  if (!result.success) return fail('BAD_REQUEST', describeIssues(result.error));
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
      if (!socket.connected) return fail('INTERNAL', 'Disconnected while joining');
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

  @SubscribeMessage('chat')
  send(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown): Promise<ChatAck> {
    return this.run(socket, 'chat', async () => {
      // Checked before the schema so that an over-long message says so, whatever else is wrong.
      if (
        isPlainObject(body) &&
        typeof body['content'] === 'string' &&
        body['content'].length > CHAT_CONTENT_MAX
      ) {
        return fail('TOO_LONG', `content is longer than ${CHAT_CONTENT_MAX} characters`);
      }
      const req = parse(ChatSendRequestSchema, body);
      if (!req.ok) return req;
      const { roomId, content, clientId } = req.value;
      const { user } = socket.data;
      // Membership of this socket is the check: joined (so stored as a member), and a leave,
      // a delete or an archive takes the room's sockets out.
      if (!socket.rooms.has(roomChannel(roomId))) return fail('NOT_MEMBER', `Join room ${roomId} first`);
      const waitMs = await this.limits.take('message', user.id);
      if (waitMs > 0) {
        return fail('RATE_LIMITED', 'Too many messages, slow down', { retryAfterMs: waitMs });
      }
      const { message, duplicate } = await this.chat.send(user, roomId, content, clientId);
      if (duplicate) return { ok: true, message, duplicate: true };
      this.server.to(roomChannel(roomId)).emit('chat', message);
      // Clients clear the sender's indicator on a message; no `typing: false` needed for it.
      this.connections.typing.stop(roomId, user.id);
      this.connections.typingRelay.messageSent(roomId, user.id);
      return { ok: true, message };
    });
  }

  @SubscribeMessage('typing')
  typingUpdate(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown): Promise<TypingAck> {
    return this.run(socket, 'typing', async () => {
      const req = parse(TypingRequestSchema, body);
      if (!req.ok) return req;
      const { roomId, isTyping } = req.value;
      const { user } = socket.data;
      if (!socket.rooms.has(roomChannel(roomId))) return fail('NOT_MEMBER', `Join room ${roomId} first`);
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
        if (err instanceof UnauthorizedException) return fail('UNAUTHORIZED', err.message);
        throw err;
      }
      if (verified.id !== socket.data.user.id)
        return fail('UNAUTHORIZED', 'The token belongs to another user');
      if (socket.connected)
        this.connections.refreshed(socket, verified.tokenExp, verified.role, verified.sessionId);
      return { ok: true, expiresAt: verified.tokenExp };
    });
  }

  /** Takes one token of the user's bucket for `action`; a RATE_LIMITED failure when empty. */
  private async limit(action: ChatAction, userId: number): Promise<{ ok: false; error: CodedError } | null> {
    const waitMs = await this.limits.take(action, userId);
    return waitMs > 0
      ? fail('RATE_LIMITED', `Too many ${action} requests, slow down`, { retryAfterMs: waitMs })
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
    const required = CHAT_EVENT_ROLES[event] ?? 'admin';
    try {
      // Each event gets a trace id of its own, bound to every line logged while it runs.
      result = await withTrace(
        async () => {
          const outcome = roleAtLeast(socket.data.role, required)
            ? await work()
            : fail('FORBIDDEN', `'${event}' needs the ${required} role (or a higher one)`, {
                requiredRole: required,
              });
          if (logsAt('debug'))
            this.logger.debug(`'${event}' handled: ${outcome.ok ? 'ok' : outcome.error.code}`);
          return outcome;
        },
        undefined,
        { socketId: socket.id, socketEvent: event },
      );
    } catch (err) {
      if (err instanceof ChatError) {
        result = { ok: false, error: err.toCoded() };
      } else {
        this.logger.error(
          `'${event}' failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        result = fail('INTERNAL', 'Something went wrong; try again');
      }
    }
    this.metrics?.socketEvent(event, secondsSince(startedAt), result.ok);
    if (!result.ok && result.error.code === 'RATE_LIMITED') this.metrics?.rateLimited(`ws ${event}`);
    if (!result.ok && socket.connected) socket.emit('error', { ...result.error, event });
    return result;
  }
}
