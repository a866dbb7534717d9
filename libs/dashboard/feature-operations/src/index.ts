export const loadOperationsPage = () => import('./lib/operations-page').then((m) => m.OperationsPage);
