import type { Route } from '@angular/router';

import { adminGuard, authGuard, guestGuard } from '@realtime/dashboard/data-access-api';
import { loadNotificationsPage } from '@realtime/dashboard/feature-notifications';
import { loadOperationsPage } from '@realtime/dashboard/feature-operations';

import { Shell } from './shell/shell';

export const appRoutes: Route[] = [
  {
    path: 'login',
    canActivate: [guestGuard],
    title: 'Sign in · Realtime Ops',
    loadComponent: () => import('@realtime/dashboard/feature-login').then((m) => m.LoginPage),
  },
  {
    path: '',
    component: Shell,
    canActivate: [authGuard],
    canActivateChild: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'dashboard' },
      {
        path: 'dashboard',
        title: 'Overview · Realtime Ops',
        loadComponent: () => import('@realtime/dashboard/feature-overview').then((m) => m.OverviewPage),
      },
      {
        path: 'notifications',
        title: 'Notifications · Realtime Ops',
        // The shell imports this lib for the bell; the page itself is still loaded lazily.
        loadComponent: loadNotificationsPage,
      },
      {
        path: 'alerts',
        title: 'Alerts · Realtime Ops',
        loadComponent: () => import('@realtime/dashboard/feature-overview').then((m) => m.AlertsPage),
      },
      {
        path: 'admin',
        title: 'Admin · Realtime Ops',
        canActivate: [adminGuard],
        loadComponent: () => import('@realtime/dashboard/feature-admin').then((m) => m.AdminPage),
      },
      {
        path: 'account',
        title: 'Your account · Realtime Ops',
        loadComponent: () => import('@realtime/dashboard/feature-admin').then((m) => m.AccountPage),
      },
      {
        path: 'chat',
        title: 'Chat · Realtime Ops',
        loadComponent: () => import('@realtime/dashboard/feature-chat').then((m) => m.ChatPage),
      },
      {
        path: 'operations',
        title: 'Operations · Realtime Ops',
        canActivate: [adminGuard],
        loadComponent: loadOperationsPage,
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
