export * from './lib/backoff';
export * from './lib/connection-state';
export * from './lib/dashboard-stream';
export * from './lib/event-source';
export * from './lib/online-status';
export * from './lib/realtime-config';
export * from './lib/retry-with-backoff';
export * from './lib/sse-connection';
