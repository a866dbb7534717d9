import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';

import { AuthStore } from './auth-store';

const PUBLIC = ['/api/auth/login', '/api/auth/logout'];

/** Adds `Authorization: Bearer` to API calls; a 401 sends the user back to sign in. */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(AuthStore);
  const router = inject(Router);
  const isApi = req.url.startsWith('/api/');
  const isPublic = PUBLIC.some((p) => req.url.startsWith(p));
  const token = auth.token;
  const authorised =
    isApi && !isPublic && token ? req.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : req;
  return next(authorised).pipe(
    catchError((error: unknown) => {
      if (error instanceof HttpErrorResponse && error.status === 401 && isApi && !isPublic) {
        void auth.sessionRejected();
        void router.navigate(['/login'], { queryParams: { returnUrl: router.url } });
      }
      return throwError(() => error);
    }),
  );
};
