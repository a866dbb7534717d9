// Test helpers for the e2e projects: the built API as a child process, JSON HTTP, raw SSE.
export * from './api-process';
export * from './http';
export * from './sse';
