import { HttpErrorResponse } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  afterNextRender,
  inject,
  signal,
  viewChild,
} from '@angular/core';
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
  /** Which field the error is about: it gets the focus back and `aria-invalid`. */
  protected readonly invalid = signal<'username' | 'password' | null>(null);

  private readonly usernameInput = viewChild.required<ElementRef<HTMLInputElement>>('usernameInput');
  private readonly passwordInput = viewChild.required<ElementRef<HTMLInputElement>>('passwordInput');

  constructor() {
    // The one thing to do on this page: type the username.
    afterNextRender(() => this.usernameInput().nativeElement.focus());
  }

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.busy()) return;
    const username = this.username().trim();
    const password = this.password();
    if (!username || !password) {
      this.error.set('Enter your username and password.');
      this.focusField(username ? 'password' : 'username');
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    this.invalid.set(null);
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
        const wrong = e instanceof HttpErrorResponse && e.status === 401;
        this.error.set(wrong ? 'Wrong username or password.' : friendlyHttpError(e, 'sign in'));
        // Back to the field to fix (the button was disabled while busy, so focus was lost).
        this.focusField(wrong ? 'password' : 'username', wrong);
      },
    });
  }

  private focusField(field: 'username' | 'password', invalid = true): void {
    this.invalid.set(invalid ? field : null);
    const input = (field === 'username' ? this.usernameInput() : this.passwordInput()).nativeElement;
    // After this change detection: the button is enabled again and the error is rendered.
    queueMicrotask(() => {
      input.focus();
      input.select();
    });
  }

  protected value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }
}
