export * from './lib/overview-page';
export * from './lib/alerts-page';
