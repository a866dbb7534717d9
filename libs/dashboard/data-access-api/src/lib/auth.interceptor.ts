import { HttpErrorResponse, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, from, switchMap, throwError } from 'rxjs';

import { AuthStore } from './auth-store';

const PUBLIC = ['/api/auth/login', '/api/auth/logout', '/api/auth/refresh'];

const withToken = (req: HttpRequest<unknown>, token: string | null) =>
  token ? req.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : req;

/**
 * Adds `Authorization: Bearer` to API calls. A 401 first renews the access token from the
 * session cookie and retries once; only when the session is over does it send the user to sign in.
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(AuthStore);
  const router = inject(Router);
  const isApi = req.url.startsWith('/api/');
  const isPublic = PUBLIC.some((p) => req.url.startsWith(p));
  if (!isApi || isPublic) return next(req);
  return next(withToken(req, auth.token)).pipe(
    catchError((error: unknown) => {
      if (!(error instanceof HttpErrorResponse) || error.status !== 401) return throwError(() => error);
      return from(auth.sessionRejected()).pipe(
        switchMap((renewed) => {
          if (renewed) return next(withToken(req, auth.token));
          if (!auth.isSignedIn())
            void router.navigate(['/login'], { queryParams: { returnUrl: router.url } });
          return throwError(() => error);
        }),
      );
    }),
  );
};
