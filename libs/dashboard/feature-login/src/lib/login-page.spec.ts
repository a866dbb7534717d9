import { HttpErrorResponse } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { Subject, of, throwError } from 'rxjs';

import { AuthStore } from '@realtime/dashboard/data-access-api';

import { LoginPage } from './login-page';

describe('LoginPage', () => {
  let login: jest.Mock;

  function render() {
    TestBed.configureTestingModule({
      imports: [LoginPage],
      providers: [provideRouter([]), { provide: AuthStore, useValue: { login, notice: () => null } }],
    });
    const fixture = TestBed.createComponent(LoginPage);
    fixture.detectChanges();
    const el = fixture.nativeElement as HTMLElement;
    const type = (label: string, value: string) => {
      const input = el.querySelector(`#${label}`) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    };
    const submit = () => {
      (el.querySelector('form') as HTMLFormElement).dispatchEvent(new Event('submit'));
      fixture.detectChanges();
    };
    return { fixture, el, type, submit };
  }

  beforeEach(() => {
    login = jest.fn();
  });

  it('signs in and goes to the page the user wanted', () => {
    login.mockReturnValue(of({ id: 1, username: 'alice' }));
    const { type, submit } = render();
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    type('username', ' alice ');
    type('password', 'demo-password');
    submit();
    expect(login).toHaveBeenCalledWith({ username: 'alice', password: 'demo-password' });
    expect(navigate).toHaveBeenCalledWith('/');
  });

  it('says the password is wrong on a 401 and puts the focus back on it', async () => {
    login.mockReturnValue(throwError(() => new HttpErrorResponse({ status: 401 })));
    const focus = jest.spyOn(HTMLInputElement.prototype, 'focus');
    const { el, type, submit, fixture } = render();
    await fixture.whenStable();
    // The first field has the focus when the page opens.
    expect((focus.mock.contexts[0] as HTMLInputElement).id).toBe('username');
    document.body.appendChild(el);
    type('username', 'alice');
    type('password', 'nope');
    submit();
    await fixture.whenStable();
    expect(el.querySelector('[data-testid=login-error]')?.textContent).toContain(
      'Wrong username or password.',
    );
    expect(document.activeElement?.id).toBe('password');
    expect(el.querySelector('#password')?.getAttribute('aria-invalid')).toBe('true');
    expect(el.querySelector('#password')?.getAttribute('aria-describedby')).toBe('login-error');
    el.remove();
    focus.mockRestore();
  });

  it('says the server is unreachable, and shows a busy button meanwhile', () => {
    const pending = new Subject<never>();
    login.mockReturnValue(pending);
    const { el, type, submit, fixture } = render();
    type('username', 'alice');
    type('password', 'pw');
    submit();
    const button = el.querySelector('button[type=submit]') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.textContent).toContain('Signing in…');
    pending.error(new HttpErrorResponse({ status: 0 }));
    fixture.detectChanges();
    expect(el.querySelector('[data-testid=login-error]')?.textContent).toContain("Can't reach the server");
  });

  it('asks for both fields', () => {
    const { el, submit } = render();
    submit();
    expect(login).not.toHaveBeenCalled();
    expect(el.querySelector('[data-testid=login-error]')?.textContent).toContain(
      'Enter your username and password.',
    );
  });
});
