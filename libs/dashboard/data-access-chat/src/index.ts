export * from './lib/chat-connection';
export * from './lib/chat-socket';
export * from './lib/chat-store';
export * from './lib/messages';
export * from './lib/outbox';
