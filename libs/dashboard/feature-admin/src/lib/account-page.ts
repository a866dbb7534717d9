import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';

import { PASSWORD_RULE, type SessionInfo } from '@realtime/contracts';
import { AccountsApi, AuthStore, friendlyHttpError } from '@realtime/dashboard/data-access-api';
import { formatDevice } from '@realtime/dashboard/util-format';

/** A session as the page lists it: its device said the way people say it. */
type SessionRow = SessionInfo & { label: string };

/** Every user: change one's own password, see where one is signed in, sign one or all of them out. */
@Component({
  selector: 'rt-account-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, DatePipe],
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
    <section class="rt-card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Where you are signed in</h2>
      @if (sessions(); as list) {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Your sessions, scrollable">
          <table class="table" data-testid="session-table">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">Expires</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              @for (s of list; track s.id) {
                <tr data-testid="session-row" [attr.data-current]="s.current">
                  <td [title]="s.device">
                    {{ s.label }}
                    @if (s.current) {
                      <span class="badge" data-testid="this-browser">this browser</span>
                    }
                  </td>
                  <td>{{ s.createdAt | date: 'medium' }}</td>
                  <td>{{ s.lastUsedAt | date: 'medium' }}</td>
                  <td>{{ s.expiresAt | date: 'mediumDate' }}</td>
                  <td>
                    @if (!s.current) {
                      <button
                        type="button"
                        class="btn"
                        (click)="revoke(s)"
                        [attr.aria-label]="
                          'Sign out ' + s.label + ', signed in ' + (s.createdAt | date: 'medium')
                        "
                        data-testid="revoke-session"
                      >
                        Sign out
                      </button>
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      } @else {
        <p class="muted">Loading your sessions…</p>
      }
      @if (sessionsMessage(); as m) {
        <p class="result" [class.error]="!m.ok" role="status" data-testid="sessions-result">{{ m.text }}</p>
      }
      <p>Signs you out on every browser and device, this one included.</p>
      <button type="button" class="btn" (click)="everywhere()" data-testid="sign-out-everywhere">
        Sign out everywhere
      </button>
    </section>
  `,
  // The admin page's tables, forms and results.
  styleUrl: './admin-page.css',
})
export class AccountPage {
  private readonly api = inject(AccountsApi);
  private readonly auth = inject(AuthStore);
  protected readonly rule = `Password: ${PASSWORD_RULE}`;
  protected current = '';
  protected next = '';
  protected readonly message = signal<{ ok: boolean; text: string } | null>(null);
  protected readonly sessions = signal<SessionRow[] | null>(null);
  protected readonly sessionsMessage = signal<{ ok: boolean; text: string } | null>(null);

  constructor() {
    this.loadSessions();
  }

  private loadSessions(): void {
    this.api.sessions().subscribe({
      next: (list) => this.sessions.set(list.map((s) => ({ ...s, label: formatDevice(s.device) }))),
      error: (e) => this.sessionsMessage.set({ ok: false, text: friendlyHttpError(e, 'list your sessions') }),
    });
  }

  protected revoke(session: SessionRow): void {
    this.api.revokeSession(session.id).subscribe({
      next: () => {
        this.sessionsMessage.set({ ok: true, text: `Signed out ${session.label}.` });
        this.loadSessions();
      },
      error: (e) =>
        this.sessionsMessage.set({ ok: false, text: friendlyHttpError(e, 'sign that session out') }),
    });
  }

  protected change(): void {
    this.api.changePassword({ currentPassword: this.current, newPassword: this.next }).subscribe({
      next: () => {
        this.current = '';
        this.next = '';
        this.message.set({ ok: true, text: 'Password changed. Your other sessions are signed out.' });
        this.loadSessions();
      },
      error: (e) => this.message.set({ ok: false, text: friendlyHttpError(e, 'change the password') }),
    });
  }

  protected everywhere(): void {
    this.api.signOutEverywhere().subscribe({
      next: () => this.auth.logout('You have signed out everywhere.'),
      error: (e) =>
        this.sessionsMessage.set({ ok: false, text: friendlyHttpError(e, 'sign out everywhere') }),
    });
  }
}
