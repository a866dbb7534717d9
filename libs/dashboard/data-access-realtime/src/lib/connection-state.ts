/** What the user is told about a live connection. */
export type ConnectionState =
  /** Nobody is subscribed. */
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'connected'; since: number }
  /** Lost; waiting until `retryAt` (epoch ms) for attempt `attempt` of `maxAttempts`. */
  | { kind: 'reconnecting'; attempt: number; maxAttempts: number; retryAt: number; reason: string }
  /** Gave up after `maxAttempts`; only `reconnect()` starts again. */
  | { kind: 'disconnected'; reason: string }
  /** `navigator.onLine` is false; resumes by itself when the browser is back online. */
  | { kind: 'offline' }
  /** The server refused the session; the auth store renews it or sends the user to sign in. */
  | { kind: 'unauthorized' };

export type ConnectionKind = ConnectionState['kind'];
