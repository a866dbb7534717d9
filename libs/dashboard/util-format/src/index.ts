export * from './lib/format-number';
export * from './lib/format-time';
export * from './lib/format-sender';
export * from './lib/format-device';
