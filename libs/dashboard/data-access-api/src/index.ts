export * from './lib/auth-store';
export * from './lib/auth.guards';
export * from './lib/auth.interceptor';
export * from './lib/clock-offset';
export * from './lib/dashboard-api';
export * from './lib/friendly-error';
export * from './lib/server-clock';
export * from './lib/operations-api';
