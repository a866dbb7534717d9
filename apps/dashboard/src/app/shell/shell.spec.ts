import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';

import { AuthStore } from '@realtime/dashboard/data-access-api';

import { Shell } from './shell';

describe('Shell', () => {
  it('shows the navigation and the user, and leaves for the login page when signed out', async () => {
    const signedIn = signal(true);
    const auth = {
      user: signal({ id: 1, username: 'alice' }),
      isSignedIn: signedIn,
      logout: jest.fn(() => signedIn.set(false)),
    };
    TestBed.configureTestingModule({
      imports: [Shell],
      providers: [provideRouter([]), { provide: AuthStore, useValue: auth }],
    });
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const fixture = TestBed.createComponent(Shell);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect([...el.querySelectorAll('nav a')].map((a) => a.textContent?.trim())).toEqual([
      'Dashboard',
      'Notifications',
      'Chat',
      'Alerts',
    ]);
    expect(el.querySelector('[data-testid=current-user]')?.textContent).toContain('alice');
    expect(navigate).not.toHaveBeenCalled();

    (el.querySelector('[data-testid=logout]') as HTMLButtonElement).click();
    await fixture.whenStable();
    expect(auth.logout).toHaveBeenCalledWith('You have signed out.');
    expect(navigate).toHaveBeenCalledWith(['/login'], { queryParams: {} });
  });
});
