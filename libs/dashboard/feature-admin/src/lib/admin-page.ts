import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';

import {
  API_KEY_SCOPES,
  type ApiKeyInfo,
  type ApiKeyScope,
  PASSWORD_RULE,
  ROLES,
  type Role,
  type UserAccount,
} from '@realtime/contracts';
import { AccountsApi, friendlyHttpError } from '@realtime/dashboard/data-access-api';

/** Admins: users (create, role, disable / enable, reset a password) and API keys (create, list, revoke). */
@Component({
  selector: 'rt-admin-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  templateUrl: './admin-page.html',
  styleUrl: './admin-page.css',
})
export class AdminPage {
  private readonly api = inject(AccountsApi);
  protected readonly roles = ROLES;
  protected readonly scopes = API_KEY_SCOPES;
  protected readonly passwordRule = `Password: ${PASSWORD_RULE}`;

  protected readonly users = signal<UserAccount[]>([]);
  protected readonly keys = signal<ApiKeyInfo[]>([]);
  protected readonly message = signal<{ ok: boolean; text: string } | null>(null);
  /** The key just created: shown once. */
  protected readonly newKey = signal<string | null>(null);

  protected readonly newUser = { username: '', password: '', role: 'viewer' as Role };
  protected readonly newKeyForm = {
    name: '',
    scopes: new Set<ApiKeyScope>(['orders:write']),
    expiresAt: '',
  };

  constructor() {
    this.load();
  }

  protected load(): void {
    this.api
      .users()
      .subscribe({ next: (u) => this.users.set(u), error: (e) => this.fail(e, 'load the users') });
    this.api
      .apiKeys()
      .subscribe({ next: (k) => this.keys.set(k), error: (e) => this.fail(e, 'load the API keys') });
  }

  protected createUser(): void {
    const { username, password, role } = this.newUser;
    this.api.createUser({ username: username.trim(), password, role }).subscribe({
      next: (u) => {
        this.newUser.username = '';
        this.newUser.password = '';
        this.done(`Created ${u.username} (${u.role}).`, true);
      },
      error: (e) => this.fail(e, 'create the user'),
    });
  }

  protected setRole(user: UserAccount, role: string): void {
    this.api.updateUser(user.id, { role: role as Role }).subscribe({
      next: (u) => this.done(`${u.username} is now ${u.role}.`, true),
      error: (e) => this.fail(e, 'change the role', true),
    });
  }

  protected setDisabled(user: UserAccount, disabled: boolean): void {
    this.api.updateUser(user.id, { disabled }).subscribe({
      next: (u) => this.done(`${u.username} is ${disabled ? 'disabled' : 'enabled'}.`, true),
      error: (e) => this.fail(e, disabled ? 'disable the user' : 'enable the user', true),
    });
  }

  protected resetPassword(user: UserAccount, password: string): void {
    this.api.updateUser(user.id, { password }).subscribe({
      next: () => this.done(`New password set for ${user.username}; their sessions are signed out.`),
      error: (e) => this.fail(e, 'reset the password'),
    });
  }

  protected toggleScope(scope: ApiKeyScope, on: boolean): void {
    if (on) this.newKeyForm.scopes.add(scope);
    else this.newKeyForm.scopes.delete(scope);
  }

  protected createKey(): void {
    const { name, scopes, expiresAt } = this.newKeyForm;
    this.api
      .createApiKey({
        name: name.trim(),
        scopes: [...scopes],
        expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null,
      })
      .subscribe({
        next: (k) => {
          this.newKey.set(k.key);
          this.newKeyForm.name = '';
          this.done(`Created the key ${k.name}. Copy it now: it is not shown again.`, true);
        },
        error: (e) => this.fail(e, 'create the key'),
      });
  }

  protected revokeKey(key: ApiKeyInfo): void {
    this.api.revokeApiKey(key.id).subscribe({
      next: () => this.done(`Revoked ${key.name}.`, true),
      error: (e) => this.fail(e, 'revoke the key'),
    });
  }

  private done(text: string, reload = false): void {
    this.message.set({ ok: true, text });
    if (reload) this.load();
  }

  private fail(error: unknown, what: string, reload = false): void {
    this.message.set({ ok: false, text: friendlyHttpError(error, what) });
    if (reload) this.load();
  }
}
