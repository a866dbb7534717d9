export * from './lib/chat-page';
