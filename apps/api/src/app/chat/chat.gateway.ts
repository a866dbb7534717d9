import { Inject, Logger, OnModuleDestroy, Optional, UnauthorizedException } from '@nestjs/common';
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
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';

import {
  type Ack,
  type AuthRefreshAck,
  type AuthUser,
  CHAT_CLIENT_EVENTS,
  CHAT_CONTENT_MAX,
  CHAT_HISTORY_SIZE,
  CHAT_NAMESPACE,
  type ChatAck,
  type ChatErrorCode,
  type ChatServerEvents,
  type CodedError,
  type JoinAck,
  type LeaveAck,
  type Role,
  type RoomMember,
  TYPING_TTL_MS,
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

import { ShutdownSignal } from '../../common/shutdown-signal';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Metrics, secondsSince } from '../../infra/metrics/metrics';
import { RateLimits, type UserRateLimit } from '../../infra/rate-limit/user-rate-limit';
import { withTrace } from '../../infra/tracing/trace';
import { bearerToken } from '../auth/jwt-auth.guard';
import { ConnectionRevoker } from '../accounts/connection-revoker';
import { TokenService } from '../auth/token.service';
import { PresenceService } from '../presence/presence.service';
import { ChatService } from './chat.service';
import { TypingTracker } from './typing-tracker';

/** What a socket carries; plain data, so that `fetchSockets()` can ship it between instances. */
export interface ChatSocketData {
  user: AuthUser;
  /** The user's role when the socket connected (or last renewed its token). */
  role: Role;
  /** Expiry of the token the socket is authenticated with, epoch seconds. */
  tokenExp: number;
  /** The browser session of that token, if any: signing it out disconnects the socket. */
  sessionId?: string;
}

export type ChatSocket = Socket<
  Record<string, never>,
  ChatServerEvents,
  Record<string, never>,
  ChatSocketData
>;
type ChatNamespace = Namespace<
  Record<string, never>,
  ChatServerEvents,
  Record<string, never>,
  ChatSocketData
>;

const KNOWN_EVENTS: ReadonlySet<string> = new Set(CHAT_CLIENT_EVENTS);
/** The least role for each client event: viewers chat, so today every role may send each one. */
export const CHAT_EVENT_ROLES: Readonly<Record<string, Role>> = {
  join: 'viewer',
  leave: 'viewer',
  chat: 'viewer',
  typing: 'viewer',
  auth: 'viewer',
};
/** setTimeout's ceiling (~24.8 days); longer token lifetimes are waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** socket.io room names: one per chat room, one per user (all of that user's sockets). */
const ROOM_PREFIX = 'room:';
export const roomChannel = (roomId: string) => `${ROOM_PREFIX}${roomId}`;
export const userChannel = (userId: number) => `user:${userId}`;

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
 * The `/chat` namespace: validates each event and delegates storage to ChatService. Room
 * fan-out uses socket.io rooms only, so a socket.io adapter (Redis) carries it across
 * instances; online flags come from `fetchSockets()` for the same reason.
 */
@WebSocketGateway({ namespace: CHAT_NAMESPACE })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  @WebSocketServer() server!: ChatNamespace;

  private readonly logger = new Logger(ChatGateway.name);
  private readonly limiter: UserRateLimit;
  private readonly typing = new TypingTracker(TYPING_TTL_MS, (roomId, user) =>
    this.emitTyping(roomId, user, false),
  );
  /** Per socket: the token-expiry timer, the presence release and the rooms it was in. */
  private readonly expiryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly releases = new Map<string, () => void>();
  private readonly roomsAtDisconnect = new Map<string, string[]>();
  /** Open sockets per user on this instance, capped at MAX_CONNECTIONS_PER_USER. */
  private readonly socketsPerUser = new Map<number, number>();
  private readonly maxSocketsPerUser: number;
  private stopRevoker: (() => void) | undefined;

  constructor(
    private readonly chat: ChatService,
    private readonly tokens: TokenService,
    private readonly presence: PresenceService,
    @Inject(APP_CONFIG) config: AppConfig,
    rateLimits: RateLimits,
    shutdown: ShutdownSignal,
    @Optional() private readonly metrics?: Metrics,
    @Optional() private readonly revoker?: ConnectionRevoker,
  ) {
    shutdown.onShutdown(() => this.shuttingDown());
    const { perSecond, burst } = config.chatRateLimit;
    // Per user, cluster-wide with Redis (RateLimits is bound in infra by configuration).
    this.limiter = rateLimits.create('chat', perSecond, burst);
    this.maxSocketsPerUser = config.maxConnectionsPerUser ?? Infinity;
  }

  /** Guards do not run on connection: the handshake is checked here, before `connection`. */
  afterInit(nsp: ChatNamespace) {
    // Accounts (issue 12): a disabled user's or signed-out session's sockets are disconnected.
    this.stopRevoker = this.revoker?.watchSockets(nsp, userChannel, (s) => {
      const data = s.data as Partial<ChatSocketData>;
      return data.user ? { id: data.user.id, sessionId: data.sessionId } : undefined;
    });
    nsp.use((socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      const token =
        typeof auth?.token === 'string' ? auth.token : bearerToken(socket.handshake.headers.authorization);
      this.tokens.verify(token).then(
        (user) => {
          const open = this.socketsPerUser.get(user.id) ?? 0;
          if (open >= this.maxSocketsPerUser) {
            const refused = new Error(
              `Too many open chat connections for this user (at most ${this.maxSocketsPerUser}): close one before opening another`,
            ) as Error & { data?: unknown };
            refused.data = { code: 'TOO_MANY_CONNECTIONS' };
            this.metrics?.rateLimited('ws connect');
            return next(refused);
          }
          // Counted from here, so that handshakes in flight count too; released on disconnect.
          this.socketsPerUser.set(user.id, open + 1);
          // Whichever comes first: a socket whose transport closes mid-handshake never
          // gets 'disconnect'.
          let released = false;
          const release = () => {
            if (released) return;
            released = true;
            const left = (this.socketsPerUser.get(user.id) ?? 1) - 1;
            if (left > 0) this.socketsPerUser.set(user.id, left);
            else this.socketsPerUser.delete(user.id);
          };
          socket.once('disconnect', release);
          socket.conn?.once('close', release);
          socket.data.user = { id: user.id, username: user.username };
          socket.data.role = user.role;
          socket.data.sessionId = user.sessionId;
          socket.data.tokenExp = user.tokenExp;
          next();
        },
        (err: unknown) => {
          if (!(err instanceof UnauthorizedException)) this.logger.error(err);
          const refused = new Error(
            err instanceof UnauthorizedException ? err.message : 'Authentication is unavailable, try again',
          ) as Error & { data?: unknown };
          refused.data = { code: 'UNAUTHORIZED' };
          next(refused);
        },
      );
    });
  }

  handleConnection(socket: ChatSocket) {
    const { user, tokenExp } = socket.data;
    this.releases.set(socket.id, this.presence.track(user.id, 'chat'));
    void socket.join(userChannel(user.id));
    this.scheduleExpiry(socket, tokenExp);
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && KNOWN_EVENTS.has(event)) return;
      const name = String(event).slice(0, 64);
      const error = { code: 'UNKNOWN_EVENT', message: `Unknown event ${JSON.stringify(name)}` } as const;
      const ack = args[args.length - 1];
      if (typeof ack === 'function') ack({ ok: false, error });
      socket.emit('error', { ...error, event: name });
    });
    // By 'disconnect' the socket has left its rooms; remember them for the presence update.
    socket.once('disconnecting', () => {
      this.roomsAtDisconnect.set(
        socket.id,
        [...socket.rooms].filter((r) => r.startsWith(ROOM_PREFIX)).map((r) => r.slice(ROOM_PREFIX.length)),
      );
    });
  }

  handleDisconnect(socket: ChatSocket) {
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
    this.releases.get(socket.id)?.();
    this.releases.delete(socket.id);
    for (const { roomId, user } of this.typing.stopSocket(socket.id)) this.emitTyping(roomId, user, false);
    const rooms = this.roomsAtDisconnect.get(socket.id) ?? [];
    this.roomsAtDisconnect.delete(socket.id);
    for (const roomId of rooms) void this.broadcastPresence(roomId);
  }

  /**
   * SIGTERM: every socket is told why before it closes (the HTTP server then closes them:
   * a transport close, after which socket.io clients reconnect on their own). Messages
   * whose ack was sent are stored already; the HTTP server finishes the requests in flight.
   */
  private shuttingDown() {
    this.server?.emit('error', {
      code: 'SHUTTING_DOWN',
      message: 'The server is restarting: reconnect in a moment',
    });
  }

  onModuleDestroy() {
    this.stopRevoker?.();
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
    this.typing.clear();
  }

  @SubscribeMessage('join')
  join(@ConnectedSocket() socket: ChatSocket, @MessageBody() body: unknown): Promise<JoinAck> {
    return this.run(socket, 'join', async () => {
      const req = parse(JoinRequestSchema, body);
      if (!req.ok) return req;
      const { roomId } = req.value;
      await this.chat.join(roomId, socket.data.user.id);
      // A socket that left meanwhile must not be added to the room as a ghost.
      if (!socket.connected) return fail('INTERNAL', 'Disconnected while joining');
      await socket.join(roomChannel(roomId));
      const [page, members] = await Promise.all([
        this.chat.history(roomId, { limit: CHAT_HISTORY_SIZE }),
        this.membersOf(roomId),
      ]);
      this.server.to(roomChannel(roomId)).emit('presence', { roomId, members });
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
      await this.chat.leave(roomId, user.id);
      if (this.typing.stop(roomId, user.id)) this.emitTyping(roomId, user, false);
      // Sent before the user's sockets leave, so that their other tabs learn it too.
      await this.broadcastPresence(roomId);
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
      if (!socket.rooms.has(roomChannel(roomId))) return fail('NOT_MEMBER', `Join room ${roomId} first`);
      const waitMs = await this.limiter.take(user.id);
      if (waitMs > 0) {
        return fail('RATE_LIMITED', 'Too many messages, slow down', { retryAfterMs: waitMs });
      }
      const { message, duplicate } = await this.chat.send(user, roomId, content, clientId);
      if (duplicate) return { ok: true, message, duplicate: true };
      this.server.to(roomChannel(roomId)).emit('chat', message);
      if (this.typing.stop(roomId, user.id)) this.emitTyping(roomId, user, false);
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
      // Only changes are relayed: the expiry timer guarantees the closing `isTyping: false`.
      if (isTyping) {
        if (this.typing.start(roomId, user, socket.id)) this.emitTyping(roomId, user, true);
      } else if (this.typing.stop(roomId, user.id)) {
        this.emitTyping(roomId, user, false);
      }
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
      if (!socket.connected) return { ok: true, expiresAt: verified.tokenExp };
      socket.data.tokenExp = verified.tokenExp;
      socket.data.role = verified.role;
      socket.data.sessionId = verified.sessionId;
      this.scheduleExpiry(socket, verified.tokenExp);
      return { ok: true, expiresAt: verified.tokenExp };
    });
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
          this.logger.debug(`'${event}' handled: ${outcome.ok ? 'ok' : outcome.error.code}`);
          return outcome;
        },
        undefined,
        { socketId: socket.id, socketEvent: event },
      );
    } catch (err) {
      this.logger.error(
        `'${event}' failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      result = fail('INTERNAL', 'Something went wrong; try again');
    }
    this.metrics?.socketEvent(event, secondsSince(startedAt), result.ok);
    if (!result.ok && result.error.code === 'RATE_LIMITED') this.metrics?.rateLimited(`ws ${event}`);
    if (!result.ok && socket.connected) socket.emit('error', { ...result.error, event });
    return result;
  }

  private scheduleExpiry(socket: ChatSocket, tokenExp: number) {
    clearTimeout(this.expiryTimers.get(socket.id));
    const delay = Math.min(Math.max(0, tokenExp * 1000 - Date.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      if (tokenExp * 1000 > Date.now()) return this.scheduleExpiry(socket, tokenExp);
      this.expiryTimers.delete(socket.id);
      socket.emit('error', { code: 'UNAUTHORIZED', message: 'token expired' });
      socket.disconnect(true);
    }, delay);
    this.expiryTimers.set(socket.id, timer);
  }

  private emitTyping(roomId: string, user: AuthUser, isTyping: boolean) {
    this.server
      .to(roomChannel(roomId))
      .except(userChannel(user.id))
      .emit('typing', { roomId, userId: user.id, username: user.username, isTyping });
  }

  private async membersOf(roomId: string): Promise<RoomMember[]> {
    let sockets: Array<{ data: { user: AuthUser } }>;
    try {
      sockets = await this.server.in(roomChannel(roomId)).fetchSockets();
    } catch (err) {
      // The other instances cannot be asked (Redis is down): who is online here still shows.
      this.logger.warn(`online members of ${roomId} from this instance only: ${(err as Error).message}`);
      sockets = await this.server.local.in(roomChannel(roomId)).fetchSockets();
    }
    return this.chat.members(roomId, new Set(sockets.map((s) => s.data.user.id)));
  }

  private async broadcastPresence(roomId: string) {
    try {
      const members = await this.membersOf(roomId);
      this.server.to(roomChannel(roomId)).emit('presence', { roomId, members });
    } catch (err) {
      this.logger.error(`presence for ${roomId} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
