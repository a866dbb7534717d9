export * from './lib/dashboard-feature-login/dashboard-feature-login';
