export * from './lib/dashboard-feature-overview/dashboard-feature-overview';
