import { HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { of, throwError } from 'rxjs';

import type { SessionInfo } from '@realtime/contracts';
import { AccountsApi, AuthStore } from '@realtime/dashboard/data-access-api';

import { AccountPage } from './account-page';

const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const session = (id: string, device: string, current: boolean): SessionInfo => ({
  id,
  device,
  createdAt: '2026-11-30T10:00:00.000Z',
  lastUsedAt: '2026-11-30T11:00:00.000Z',
  expiresAt: '2026-12-07T10:00:00.000Z',
  current,
});

describe('AccountPage', () => {
  let listed: SessionInfo[];
  const api = {
    sessions: jest.fn(() => of(listed)),
    revokeSession: jest.fn((id: string) => {
      listed = listed.filter((s) => s.id !== id);
      return of(undefined);
    }),
    changePassword: jest.fn(() => of(undefined)),
    signOutEverywhere: jest.fn(() => of({ revoked: 2 })),
  };
  const auth = { logout: jest.fn() };

  beforeEach(() => {
    jest.clearAllMocks();
    listed = [session('a', CHROME, true), session('b', 'curl/8.5.0', false)];
    TestBed.configureTestingModule({
      providers: [
        { provide: AccountsApi, useValue: api },
        { provide: AuthStore, useValue: auth },
      ],
    });
  });
  const rows = (el: HTMLElement) => [...el.querySelectorAll<HTMLElement>('[data-testid=session-row]')];

  async function render() {
    const fixture = TestBed.createComponent(AccountPage);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  it('lists where one is signed in, this browser marked and not offered to sign out from the list', async () => {
    const { el } = await render();
    const [mine, other] = rows(el);
    expect(mine.textContent).toContain('Chrome on Linux');
    expect(mine.querySelector('[data-testid=this-browser]')).not.toBeNull();
    expect(mine.querySelector('[data-testid=revoke-session]')).toBeNull();
    expect(mine.querySelector('td')?.getAttribute('title')).toBe(CHROME);
    expect(other.textContent).toContain('curl');
    expect(other.querySelector('[data-testid=this-browser]')).toBeNull();
  });

  it('signs another session out and lists what is left', async () => {
    const { fixture, el } = await render();
    rows(el)[1].querySelector<HTMLElement>('[data-testid=revoke-session]')!.click();
    await fixture.whenStable();
    expect(api.revokeSession).toHaveBeenCalledWith('b');
    expect(api.sessions).toHaveBeenCalledTimes(2);
    expect(rows(el)).toHaveLength(1);
    expect(el.querySelector('[data-testid=sessions-result]')?.textContent).toContain('Signed out curl');
  });

  it('says why a session could not be signed out, and keeps the list', async () => {
    api.revokeSession.mockReturnValueOnce(
      throwError(() => new HttpErrorResponse({ status: 404, error: { message: 'No session b' } })),
    );
    const { fixture, el } = await render();
    rows(el)[1].querySelector<HTMLElement>('[data-testid=revoke-session]')!.click();
    await fixture.whenStable();
    const result = el.querySelector('[data-testid=sessions-result]')!;
    expect(result.classList).toContain('error');
    expect(rows(el)).toHaveLength(2);
  });

  it('lists the sessions again after a password change (the others are signed out by it)', async () => {
    const { fixture, el } = await render();
    listed = [listed[0]];
    const set = (id: string, value: string) => {
      const input = el.querySelector<HTMLInputElement>(`[data-testid=${id}]`)!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    };
    set('current-password', 'demo-password');
    set('next-password', 'a-new-password-1');
    await fixture.whenStable();
    el.querySelector<HTMLElement>('[data-testid=change-password]')!.click();
    await fixture.whenStable();
    expect(api.changePassword).toHaveBeenCalledWith({
      currentPassword: 'demo-password',
      newPassword: 'a-new-password-1',
    });
    expect(rows(el)).toHaveLength(1);
  });
});
