import type { ConnectionState } from '@realtime/dashboard/data-access-realtime';
import type { Tone } from '@realtime/dashboard/ui';
import { secondsUntil } from '@realtime/dashboard/util-format';

export interface ConnectionView {
  tone: Tone;
  /** Short and stable (announced through aria-live, so no countdown here). */
  label: string;
  /** The longer sentence under the header, or null when all is well. */
  message: string | null;
  pulse: boolean;
  canReconnect: boolean;
}

/** What the user reads about the live connection. */
export function describeConnection(state: ConnectionState, now: number): ConnectionView {
  switch (state.kind) {
    case 'connected':
      return { tone: 'ok', label: 'Live', message: null, pulse: false, canReconnect: false };
    case 'idle':
    case 'connecting':
      return { tone: 'neutral', label: 'Connecting…', message: null, pulse: true, canReconnect: false };
    case 'reconnecting': {
      const seconds = secondsUntil(state.retryAt, now);
      return {
        tone: 'warn',
        label: `Reconnecting (attempt ${state.attempt} of ${state.maxAttempts})`,
        message:
          seconds > 0
            ? `Can't reach the server. Retrying in ${seconds} s…`
            : `Can't reach the server. Trying again now…`,
        pulse: true,
        canReconnect: false,
      };
    }
    case 'disconnected':
      return {
        tone: 'down',
        label: 'Disconnected',
        message: "Can't reach the server. We stopped retrying; reconnect when it is back.",
        pulse: false,
        canReconnect: true,
      };
    case 'offline':
      return {
        tone: 'down',
        label: 'Offline',
        message: "You're offline. Live updates resume by themselves when your connection is back.",
        pulse: false,
        canReconnect: false,
      };
    case 'unauthorized':
      return {
        tone: 'down',
        label: 'Signed out',
        message: 'The server no longer accepts your session. Taking you to sign in…',
        pulse: false,
        canReconnect: false,
      };
  }
}
