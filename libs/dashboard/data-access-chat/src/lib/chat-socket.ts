import { InjectionToken } from '@angular/core';
import { io } from 'socket.io-client';

import { CHAT_NAMESPACE, type ChatClientEventName, type ChatErrorEvent } from '@realtime/contracts';

/**
 * The little of a socket.io client that the chat needs, so that tests can hand in a fake.
 * It never reconnects by itself: {@link createChatConnection} does, with the shared policy.
 */
export interface ChatSocket {
  on(event: 'connect', listener: () => void): void;
  on(event: 'connect_error', listener: (error: Error & { data?: unknown }) => void): void;
  on(event: 'disconnect', listener: (reason: string) => void): void;
  on(event: 'chat' | 'typing' | 'presence', listener: (payload: unknown) => void): void;
  on(event: 'error', listener: (error: ChatErrorEvent) => void): void;
  /** An event with an acknowledgement: rejects when no ack comes within `timeoutMs` or the socket drops. */
  request<A>(event: ChatClientEventName, payload: object, timeoutMs: number): Promise<A>;
  /** Opens the connection (sockets are created closed). */
  open(): void;
  /** Closes the connection and forgets every listener. */
  close(): void;
}

/** Creates a closed socket authenticated with `token`. */
export type ChatSocketFactory = (token: string | null) => ChatSocket;

/** socket.io on the `/chat` namespace of this origin, WebSocket only, with its own reconnection off. */
export function socketIoChatSocket(token: string | null, url = CHAT_NAMESPACE): ChatSocket {
  const socket = io(url, {
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    autoConnect: false,
  });
  return {
    on: (event: string, listener: (...args: unknown[]) => void) => void socket.on(event, listener),
    request: <A>(event: ChatClientEventName, payload: object, timeoutMs: number) =>
      socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<A>,
    open: () => void socket.connect(),
    close: () => {
      socket.removeAllListeners();
      socket.disconnect();
    },
  } as ChatSocket;
}

export const CHAT_SOCKET_FACTORY = new InjectionToken<ChatSocketFactory>('CHAT_SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => (token) => socketIoChatSocket(token),
});
