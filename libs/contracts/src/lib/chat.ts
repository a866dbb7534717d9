import type { CodedError } from './errors';

export const CHAT_NAMESPACE = '/chat';
export const DEFAULT_ROOMS = ['general', 'ops', 'sales'] as const;
export const CHAT_CONTENT_MAX = 2000;
export const CHAT_HISTORY_SIZE = 50;
export const TYPING_TTL_MS = 5000;

export interface JoinRequest {
  roomId: string;
}
export interface LeaveRequest {
  roomId: string;
}
export interface ChatSendRequest {
  roomId: string;
  content: string;
  clientId: string;
}
export interface TypingRequest {
  roomId: string;
  isTyping: boolean;
}

export interface ChatMessage {
  id: number;
  clientId: string;
  roomId: string;
  senderId: number;
  senderName: string;
  content: string;
  timestamp: number;
}

export interface RoomMember {
  userId: number;
  username: string;
  online: boolean;
}

export interface PresenceEvent {
  roomId: string;
  members: RoomMember[];
}

export interface TypingEvent {
  roomId: string;
  userId: number;
  username: string;
  isTyping: boolean;
}

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: CodedError };

export type JoinAck = Ack<{ history: ChatMessage[]; members: RoomMember[] }>;
export type ChatAck = Ack<{ message: ChatMessage; duplicate?: boolean }>;

export interface ChatMessagesPage {
  items: ChatMessage[];
  /** Pass as `?before=` for older messages; null when there are none. */
  nextCursor: string | null;
}

export interface RoomSummary {
  id: string;
  members: number;
  lastMessageAt: number | null;
}

/** Server → client events of the `/chat` namespace. */
export interface ChatServerEvents {
  chat: (message: ChatMessage) => void;
  typing: (event: TypingEvent) => void;
  presence: (event: PresenceEvent) => void;
  error: (error: CodedError) => void;
}
