import type { Route } from '@angular/router';

import { authGuard, guestGuard } from '@realtime/dashboard/data-access-api';

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
        loadComponent: () => import('./placeholder/placeholder-page').then((m) => m.PlaceholderPage),
        data: {
          heading: 'Notifications',
          text: 'Your notification centre arrives here: live, stored, and in sync across tabs.',
        },
      },
      {
        path: 'chat',
        title: 'Chat · Realtime Ops',
        loadComponent: () => import('./placeholder/placeholder-page').then((m) => m.PlaceholderPage),
        data: {
          heading: 'Chat',
          text: 'Team rooms with typing, presence and an offline outbox arrive here.',
        },
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
