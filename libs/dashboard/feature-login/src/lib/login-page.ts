import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';

import { AuthStore, friendlyHttpError } from '@realtime/dashboard/data-access-api';

/** Sign-in form; says clearly whether the password or the server is the problem. */
@Component({
  selector: 'rt-login-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './login-page.html',
  styleUrl: './login-page.css',
})
export class LoginPage {
  private readonly auth = inject(AuthStore);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly username = signal('');
  protected readonly password = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = this.auth.notice;

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.busy()) return;
    const username = this.username().trim();
    const password = this.password();
    if (!username || !password) {
      this.error.set('Enter your username and password.');
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.auth.login({ username, password }).subscribe({
      next: () => {
        this.busy.set(false);
        const returnUrl = this.route.snapshot.queryParamMap.get('returnUrl');
        // Only same-app paths: never an open redirect.
        const target =
          returnUrl && returnUrl.startsWith('/') && !returnUrl.startsWith('//') ? returnUrl : '/';
        void this.router.navigateByUrl(target);
      },
      error: (e: unknown) => {
        this.busy.set(false);
        this.error.set(
          e instanceof HttpErrorResponse && e.status === 401
            ? 'Wrong username or password.'
            : friendlyHttpError(e, 'sign in'),
        );
      },
    });
  }

  protected value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }
}
