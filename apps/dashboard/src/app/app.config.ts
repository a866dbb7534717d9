import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import {
  type ApplicationConfig,
  inject,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';

import { AuthStore, authInterceptor } from '@realtime/dashboard/data-access-api';
import {
  BACKOFF_POLICY,
  SESSION_CHECK,
  SHARED_STREAMS_SCOPE,
} from '@realtime/dashboard/data-access-realtime';

import { appRoutes } from './app.routes';
import { backoffFromLocation } from './backoff-config';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideRouter(appRoutes, withComponentInputBinding()),
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
    // A refused stream asks the auth store whether the session still holds (one place for all).
    {
      provide: SESSION_CHECK,
      useFactory: () => {
        const auth = inject(AuthStore);
        return () => auth.checkSession();
      },
    },
    {
      provide: BACKOFF_POLICY,
      useFactory: () =>
        backoffFromLocation(window.location, typeof sessionStorage === 'undefined' ? null : sessionStorage),
    },
    {
      // The tabs of one signed-in user share one set of streams (see data-access-realtime).
      provide: SHARED_STREAMS_SCOPE,
      useFactory: () => {
        const auth = inject(AuthStore);
        return () => `user-${auth.user()?.id ?? 'anonymous'}`;
      },
    },
  ],
};
