import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';

import { roleAtLeast } from '@realtime/contracts';

import { AuthStore } from './auth-store';

/** Signed-in users only; others go to the login page and come back afterwards. */
export const authGuard: CanActivateFn = (_route, state) => {
  const auth = inject(AuthStore);
  if (auth.token) return true;
  if (auth.isSignedIn()) auth.expire();
  return inject(Router).createUrlTree(['/login'], {
    queryParams: state.url && state.url !== '/' ? { returnUrl: state.url } : {},
  });
};

/** The login page is for signed-out users. */
export const guestGuard: CanActivateFn = () =>
  inject(AuthStore).token ? inject(Router).createUrlTree(['/']) : true;

/** Admins only (the server checks again); others go back to the dashboard. */
export const adminGuard: CanActivateFn = () => {
  const user = inject(AuthStore).user();
  return user && roleAtLeast(user.role, 'admin') ? true : inject(Router).createUrlTree(['/dashboard']);
};
