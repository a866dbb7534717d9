export * from './lib/admin-page';
export * from './lib/account-page';
