export * from './event-stream.decorator';
export * from './resume';
export * from './sse-frame';
export * from './stream-cursor';
export * from './stream-hub';
export * from './stream-routes';
export * from './stream-sink';
export * from './stream-source';
