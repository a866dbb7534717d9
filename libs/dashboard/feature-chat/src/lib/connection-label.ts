import type { ConnectionState } from '@realtime/dashboard/data-access-realtime';
import type { Tone } from '@realtime/dashboard/ui';

export interface ChatConnectionView {
  tone: Tone;
  label: string;
  /** What happens to what the user writes now; null when all is well. */
  message: string | null;
  pulse: boolean;
  canReconnect: boolean;
}

/** The chat's words for the connection: unlike a stream, what is written here waits in the outbox. */
export function describeChatConnection(state: ConnectionState): ChatConnectionView {
  switch (state.kind) {
    case 'connected':
      return { tone: 'ok', label: 'Connected', message: null, pulse: false, canReconnect: false };
    case 'idle':
    case 'connecting':
      return { tone: 'neutral', label: 'Connecting…', message: null, pulse: true, canReconnect: false };
    case 'reconnecting':
      return {
        tone: 'warn',
        label: `Reconnecting (attempt ${state.attempt} of ${state.maxAttempts})`,
        message: `${state.reason} Messages you write are kept and sent when it is back.`,
        pulse: true,
        canReconnect: false,
      };
    case 'disconnected':
      return {
        tone: 'down',
        label: 'Disconnected',
        message: `${state.reason} We stopped retrying; your messages wait in the outbox.`,
        pulse: false,
        canReconnect: true,
      };
    case 'offline':
      return {
        tone: 'down',
        label: 'Offline',
        message: "You're offline. Messages you write are kept and sent when you're back.",
        pulse: false,
        canReconnect: false,
      };
    case 'unauthorized':
      return {
        tone: 'down',
        label: 'Signed out',
        message: 'The server no longer accepts your session. Your messages wait in the outbox.',
        pulse: false,
        canReconnect: false,
      };
  }
}
