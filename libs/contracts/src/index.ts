// Types and constants only: safe for the browser bundle. Runtime schemas live in
// `@realtime/contracts/schemas` so that validators stay out of the dashboard.
export * from './lib/accounts';
export * from './lib/alerts';
export * from './lib/annotations';
export * from './lib/auth';
export * from './lib/chat';
export * from './lib/errors';
export * from './lib/health';
export * from './lib/history';
export * from './lib/metrics';
export * from './lib/notifications';
export * from './lib/orders';
export * from './lib/operations';
