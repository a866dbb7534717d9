import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import {
  type ApplicationConfig,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';

import { authInterceptor } from '@realtime/dashboard/data-access-api';
import { BACKOFF_POLICY } from '@realtime/dashboard/data-access-realtime';

import { appRoutes } from './app.routes';
import { backoffFromLocation } from './backoff-config';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideRouter(appRoutes, withComponentInputBinding()),
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
    {
      provide: BACKOFF_POLICY,
      useFactory: () =>
        backoffFromLocation(window.location, typeof sessionStorage === 'undefined' ? null : sessionStorage),
    },
  ],
};
