import { Inject, Injectable, Logger, Optional, UnauthorizedException } from '@nestjs/common';
import type { Socket } from 'socket.io';

import {
  type AuthUser,
  CHAT_CLIENT_EVENTS,
  type ChatServerEvents,
  type Role,
  TYPING_TTL_MS,
} from '@realtime/contracts';

import { ShutdownSignal } from '../../common/shutdown-signal';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Metrics } from '../../infra/metrics/metrics';
import { ConnectionRevoker } from '../accounts/connection-revoker';
import { bearerToken } from '../auth/jwt-auth.guard';
import { TokenService } from '../auth/token.service';
import { PresenceService } from '../presence/presence.service';
import {
  ChatPresence,
  type ChatNamespace,
  type ChatSocketData,
  chatRoomsOf,
  roomChannel,
  userChannel,
} from './chat-presence';
import { TypingRelay } from './typing-relay';
import { TypingTracker } from './typing-tracker';

export type ChatSocket = Socket<
  Record<string, never>,
  ChatServerEvents,
  Record<string, never>,
  ChatSocketData
>;

const KNOWN_EVENTS: ReadonlySet<string> = new Set(CHAT_CLIENT_EVENTS);
/** setTimeout's ceiling (~24.8 days); longer token lifetimes are waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The life of a `/chat` socket, apart from what it asks for: the handshake (token, per-user
 * cap), token expiry, activeUsers presence, unknown events, and what its going away means for
 * the rooms it was in (typing stopped, presence queued in one batch). It also owns typing
 * state, which both a socket's end and the message handlers change.
 */
@Injectable()
export class ChatConnections {
  private readonly logger = new Logger(ChatConnections.name);
  private server: ChatNamespace | undefined;
  /** Per socket: the token-expiry timer, the presence release and the rooms it was in. */
  private readonly expiryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly releases = new Map<string, () => void>();
  private readonly roomsAtDisconnect = new Map<string, string[]>();
  /** Open sockets per user on this instance, capped at MAX_CONNECTIONS_PER_USER. */
  private readonly socketsPerUser = new Map<number, number>();
  private readonly maxSocketsPerUser: number;
  readonly typingRelay: TypingRelay;
  readonly typing: TypingTracker;
  private stopRevoker: (() => void) | undefined;

  constructor(
    private readonly tokens: TokenService,
    private readonly presence: PresenceService,
    private readonly roomPresence: ChatPresence,
    @Inject(APP_CONFIG) config: AppConfig,
    shutdown: ShutdownSignal,
    @Optional() private readonly metrics?: Metrics,
    @Optional() private readonly revoker?: ConnectionRevoker,
  ) {
    shutdown.onShutdown(() => this.shuttingDown());
    this.maxSocketsPerUser = config.maxConnectionsPerUser ?? Infinity;
    this.typingRelay = new TypingRelay(config.chat?.typingRelayMs ?? 0, (roomId, user, isTyping) =>
      this.emitTyping(roomId, user, isTyping),
    );
    this.typing = new TypingTracker(TYPING_TTL_MS, (roomId, user) =>
      this.typingRelay.push(roomId, user, false),
    );
  }

  /** Guards do not run on connection: the handshake is checked here, before `connection`. */
  attach(nsp: ChatNamespace) {
    this.server = nsp;
    this.roomPresence.attach(nsp);
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
          socket.data.user = { id: user.id, username: user.username, role: user.role };
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

  connected(socket: ChatSocket) {
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
      this.roomsAtDisconnect.set(socket.id, chatRoomsOf(socket.rooms));
    });
  }

  disconnected(socket: ChatSocket) {
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
    this.releases.get(socket.id)?.();
    this.releases.delete(socket.id);
    for (const { roomId, user } of this.typing.stopSocket(socket.id)) {
      this.typingRelay.push(roomId, user, false);
    }
    const rooms = this.roomsAtDisconnect.get(socket.id) ?? [];
    this.roomsAtDisconnect.delete(socket.id);
    if (rooms.length && socket.data.user) this.roomPresence.left(socket.data.user.id, rooms);
  }

  /** In-band token refresh: moves the socket's expiry and takes the role it carries now. */
  refreshed(socket: ChatSocket, tokenExp: number, role: Role, sessionId: string | undefined) {
    socket.data.tokenExp = tokenExp;
    socket.data.role = role;
    socket.data.sessionId = sessionId;
    socket.data.user = { ...socket.data.user, role };
    this.scheduleExpiry(socket, tokenExp);
  }

  /** Typing state changes go out through the relay (at most a few per second per user and room). */
  typingChanged(roomId: string, user: AuthUser, isTyping: boolean) {
    this.typingRelay.push(roomId, user, isTyping);
  }

  /**
   * SIGTERM (the ShutdownSignal): every socket is told why before it closes (the HTTP server
   * then closes them: a transport close, after which socket.io clients reconnect on their own).
   * Messages whose ack was sent are stored already; the HTTP server finishes requests in flight.
   */
  private shuttingDown() {
    this.server?.emit('error', {
      code: 'SHUTTING_DOWN',
      message: 'The server is restarting: reconnect in a moment',
    });
  }

  destroy() {
    this.stopRevoker?.();
    this.stopRevoker = undefined;
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
    this.typing.clear();
    this.typingRelay.clear();
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
      ?.to(roomChannel(roomId))
      .except(userChannel(user.id))
      .emit('typing', { roomId, userId: user.id, username: user.username, isTyping });
  }
}
