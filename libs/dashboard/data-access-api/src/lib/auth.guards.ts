import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';

import { roleAtLeast } from '@realtime/contracts';

import { AuthStore } from './auth-store';

/**
 * Signed-in users only. A tab without a token (opened later, reloaded) first tries the session
 * the browser already has; without one it goes to the login page and comes back afterwards.
 */
export const authGuard: CanActivateFn = async (_route, state) => {
  const auth = inject(AuthStore);
  const router = inject(Router);
  if (auth.token || (await auth.restore())) return true;
  return router.createUrlTree(['/login'], {
    queryParams: state.url && state.url !== '/' ? { returnUrl: state.url } : {},
  });
};

/** The login page is for signed-out users (a tab of a signed-in browser goes straight in). */
export const guestGuard: CanActivateFn = async () => {
  const auth = inject(AuthStore);
  const router = inject(Router);
  return auth.token || (await auth.restore()) ? router.createUrlTree(['/']) : true;
};

/** Admins only (the server checks again); others go back to the dashboard. */
export const adminGuard: CanActivateFn = () => {
  const user = inject(AuthStore).user();
  return user && roleAtLeast(user.role, 'admin') ? true : inject(Router).createUrlTree(['/dashboard']);
};
