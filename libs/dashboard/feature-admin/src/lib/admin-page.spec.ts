import { TestBed } from '@angular/core/testing';
import { of } from 'rxjs';

import { AccountsApi } from '@realtime/dashboard/data-access-api';

import { AdminPage } from './admin-page';

describe('AdminPage', () => {
  const api = {
    users: jest.fn(() => of([{ id: 1, username: 'alice', role: 'admin', createdAt: 'x', disabledAt: null }])),
    apiKeys: jest.fn(() => of([])),
    createUser: jest.fn(() =>
      of({ id: 4, username: 'dora', role: 'operator', createdAt: 'x', disabledAt: null }),
    ),
    updateUser: jest.fn(() =>
      of({ id: 1, username: 'alice', role: 'admin', createdAt: 'x', disabledAt: null }),
    ),
    createApiKey: jest.fn(() => of({ id: 1, name: 'feed', key: 'rtk_secret', scopes: ['orders:write'] })),
  };

  beforeEach(() => {
    jest.clearAllMocks();
    TestBed.configureTestingModule({ providers: [{ provide: AccountsApi, useValue: api }] });
  });
  const q = (el: HTMLElement, id: string) => el.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;

  it('lists users and creates one with the role chosen', async () => {
    const fixture = TestBed.createComponent(AdminPage);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelectorAll('[data-testid=user-row]')).toHaveLength(1);
    const set = (id: string, value: string) => {
      const input = q(el, id) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event(input.tagName === 'SELECT' ? 'change' : 'input'));
    };
    set('new-username', 'dora');
    set('new-password', 'dora-password-1');
    set('new-role', 'operator');
    await fixture.whenStable();
    q(el, 'create-user-submit').click();
    await fixture.whenStable();
    expect(api.createUser).toHaveBeenCalledWith({
      username: 'dora',
      password: 'dora-password-1',
      role: 'operator',
    });
    expect(q(el, 'admin-result').textContent).toContain('Created dora');
    expect(api.users).toHaveBeenCalledTimes(2);
  });

  it('shows a new API key once, and disables a user', async () => {
    const fixture = TestBed.createComponent(AdminPage);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const name = q(el, 'key-name') as HTMLInputElement;
    name.value = 'feed';
    name.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    q(el, 'create-key-submit').click();
    await fixture.whenStable();
    expect(api.createApiKey).toHaveBeenCalledWith({
      name: 'feed',
      scopes: ['orders:write'],
      expiresAt: null,
    });
    expect(q(el, 'new-key').textContent).toBe('rtk_secret');
    q(el, 'user-disable').click();
    expect(api.updateUser).toHaveBeenCalledWith(1, { disabled: true });
  });
});
