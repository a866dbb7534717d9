export * from './lib/dashboard-ui/dashboard-ui';
