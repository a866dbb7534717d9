export * from './lib/format-number';
export * from './lib/format-time';
