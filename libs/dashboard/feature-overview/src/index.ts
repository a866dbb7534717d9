export * from './lib/overview-page';
