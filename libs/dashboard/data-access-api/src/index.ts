export * from './lib/dashboard-data-access-api/dashboard-data-access-api';
