import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';

import { PASSWORD_RULE } from '@realtime/contracts';
import { AccountsApi, AuthStore, friendlyHttpError } from '@realtime/dashboard/data-access-api';

/** Every user: change one's own password, sign out everywhere. */
@Component({
  selector: 'rt-account-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  template: `
    <header class="page-head"><h1>Your account</h1></header>
    <section class="rt-card" aria-labelledby="pw-heading">
      <h2 id="pw-heading">Change your password</h2>
      <form (ngSubmit)="change()" class="create">
        <label>
          <span>Current password</span>
          <input
            name="current"
            type="password"
            required
            autocomplete="current-password"
            [(ngModel)]="current"
            data-testid="current-password"
          />
        </label>
        <label>
          <span>New password</span>
          <input
            name="next"
            type="password"
            required
            autocomplete="new-password"
            [(ngModel)]="next"
            data-testid="next-password"
          />
          <small class="muted">{{ rule }}</small>
        </label>
        <button type="submit" class="btn primary" data-testid="change-password">Change password</button>
      </form>
      @if (message(); as m) {
        <p class="result" [class.error]="!m.ok" role="status" data-testid="account-result">{{ m.text }}</p>
      }
    </section>
    <section class="rt-card">
      <h2>Sessions</h2>
      <p>Signs you out on every browser and device, this one included.</p>
      <button type="button" class="btn" (click)="everywhere()" data-testid="sign-out-everywhere">
        Sign out everywhere
      </button>
    </section>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 1rem;
    }
    .create {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      align-items: flex-end;
    }
    label {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
    }
    .result.error {
      color: var(--down);
    }
  `,
})
export class AccountPage {
  private readonly api = inject(AccountsApi);
  private readonly auth = inject(AuthStore);
  protected readonly rule = `At least: ${PASSWORD_RULE}`;
  protected current = '';
  protected next = '';
  protected readonly message = signal<{ ok: boolean; text: string } | null>(null);

  protected change(): void {
    this.api.changePassword({ currentPassword: this.current, newPassword: this.next }).subscribe({
      next: () => {
        this.current = '';
        this.next = '';
        this.message.set({ ok: true, text: 'Password changed. Your other sessions are signed out.' });
      },
      error: (e) => this.message.set({ ok: false, text: friendlyHttpError(e, 'change the password') }),
    });
  }

  protected everywhere(): void {
    this.api.signOutEverywhere().subscribe({
      next: () => this.auth.logout('You have signed out everywhere.'),
      error: (e) => this.message.set({ ok: false, text: friendlyHttpError(e, 'sign out everywhere') }),
    });
  }
}
