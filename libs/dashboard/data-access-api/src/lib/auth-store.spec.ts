import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';

import {
  AUTH_TAB_CHANNEL,
  AuthStore,
  type AuthTabChannel,
  type AuthTabMessage,
  SESSION_REJECTED_NOTICE,
  SESSION_STORAGE,
  SESSION_STORAGE_KEY,
} from './auth-store';
import { authInterceptor } from './auth.interceptor';
import { CLOCK_MS } from './server-clock';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

describe('AuthStore and authInterceptor', () => {
  let storage: MemoryStorage;
  let now: number;

  function setup(channel: AuthTabChannel | null = null) {
    TestBed.configureTestingModule({
      providers: [
        { provide: AUTH_TAB_CHANNEL, useValue: channel },
        provideRouter([]),
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        { provide: SESSION_STORAGE, useValue: storage },
        { provide: CLOCK_MS, useValue: () => now },
      ],
    });
    return {
      auth: TestBed.inject(AuthStore),
      http: TestBed.inject(HttpTestingController),
    };
  }

  beforeEach(() => {
    storage = new MemoryStorage();
    now = 1_000_000;
  });

  it('signs in, keeps the token in memory and sessionStorage, and sends it as a Bearer', () => {
    const { auth, http } = setup();
    let user: unknown;
    auth.login({ username: 'alice', password: 'pw' }).subscribe((u) => (user = u));
    const login = http.expectOne('/api/auth/login');
    expect(login.request.headers.has('Authorization')).toBe(false);
    login.flush({ accessToken: 'tok', expiresIn: 900, user: { id: 1, username: 'alice' } });
    expect(user).toEqual({ id: 1, username: 'alice' });
    expect(auth.user()?.username).toBe('alice');
    expect(JSON.parse(storage.getItem(SESSION_STORAGE_KEY)!)).toMatchObject({
      accessToken: 'tok',
      expiresAt: 1_900_000,
    });

    TestBed.inject(HttpClient).get('/api/dashboard/snapshot').subscribe();
    expect(http.expectOne('/api/dashboard/snapshot').request.headers.get('Authorization')).toBe('Bearer tok');
    http.verify();
  });

  it('restores an unexpired session after a reload and ignores an expired one', () => {
    storage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({ accessToken: 't', expiresAt: now + 1000, user: { id: 2, username: 'bob' } }),
    );
    expect(setup().auth.user()?.username).toBe('bob');

    TestBed.resetTestingModule();
    storage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({ accessToken: 't', expiresAt: now - 1, user: { id: 2, username: 'bob' } }),
    );
    expect(setup().auth.isSignedIn()).toBe(false);
  });

  it('on a 401 renews from the session cookie and retries the request once, with the new token', async () => {
    storage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({ accessToken: 't', expiresAt: now + 60_000, user: { id: 1, username: 'alice' } }),
    );
    const { auth, http } = setup();
    let answer: unknown;
    TestBed.inject(HttpClient)
      .get('/api/dashboard/history')
      .subscribe((a) => (answer = a));
    http
      .expectOne('/api/dashboard/history')
      .flush({ statusCode: 401, message: 'Unauthorized' }, { status: 401, statusText: 'Unauthorized' });
    const refresh = http.expectOne('/api/auth/refresh');
    expect(refresh.request.headers.has('Authorization')).toBe(false);
    refresh.flush({ accessToken: 't2', expiresIn: 900, user: { id: 1, username: 'alice', role: 'admin' } });
    await new Promise((r) => setTimeout(r, 0));
    const retry = http.expectOne('/api/dashboard/history');
    expect(retry.request.headers.get('Authorization')).toBe('Bearer t2');
    retry.flush({ ok: 1 });
    expect(answer).toEqual({ ok: 1 });
    expect(auth.token).toBe('t2');
  });

  it('when the session is over too, forgets it, says why and goes to the login page', async () => {
    storage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({ accessToken: 't', expiresAt: now + 60_000, user: { id: 1, username: 'alice' } }),
    );
    const { auth, http } = setup();
    const router = TestBed.inject(Router);
    const navigate = jest.spyOn(router, 'navigate').mockResolvedValue(true);
    let failed = false;
    TestBed.inject(HttpClient)
      .get('/api/dashboard/history')
      .subscribe({ error: () => (failed = true) });
    http
      .expectOne('/api/dashboard/history')
      .flush({ statusCode: 401, message: 'Unauthorized' }, { status: 401, statusText: 'Unauthorized' });
    http
      .expectOne('/api/auth/refresh')
      .flush({ statusCode: 401, message: 'signed out' }, { status: 401, statusText: 'Unauthorized' });
    await new Promise((r) => setTimeout(r, 0));
    expect(failed).toBe(true);
    expect(auth.isSignedIn()).toBe(false);
    expect(auth.notice()).toBe(SESSION_REJECTED_NOTICE);
    expect(storage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(navigate).toHaveBeenCalledWith(['/login'], expect.anything());
  });

  it('checkSession: a 401 goes through sessionRejected and answers false; a 502 is not about the session', async () => {
    storage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({ accessToken: 't', expiresAt: now + 60_000, user: { id: 1, username: 'alice' } }),
    );
    const { auth, http } = setup();
    jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const rejected = jest.spyOn(auth, 'sessionRejected');

    const gateway = auth.checkSession();
    http.expectOne('/api/auth/me').flush({}, { status: 502, statusText: 'Bad Gateway' });
    expect(await gateway).toBe(true);
    expect(rejected).not.toHaveBeenCalled();

    const refused = auth.checkSession();
    http.expectOne('/api/auth/me').flush({}, { status: 401, statusText: 'Unauthorized' });
    // The rejection first tries to renew the session; the server refuses that too.
    await new Promise((r) => setTimeout(r, 0));
    http.expectOne('/api/auth/refresh').flush({}, { status: 401, statusText: 'Unauthorized' });
    expect(await refused).toBe(false);
    expect(rejected).toHaveBeenCalledTimes(1);
    expect(auth.isSignedIn()).toBe(false);
  });

  it('a wrong password is not a session expiry', () => {
    const { auth, http } = setup();
    const router = TestBed.inject(Router);
    const navigate = jest.spyOn(router, 'navigate');
    auth.login({ username: 'alice', password: 'nope' }).subscribe({ error: () => undefined });
    http.expectOne('/api/auth/login').flush({}, { status: 401, statusText: 'Unauthorized' });
    expect(navigate).not.toHaveBeenCalled();
    expect(auth.notice()).toBeNull();
  });

  it('renews by itself before the token runs out, and shares the renewal with the other tabs', async () => {
    jest.useFakeTimers();
    try {
      storage.setItem(
        SESSION_STORAGE_KEY,
        JSON.stringify({ accessToken: 't', expiresAt: now + 10_000, user: { id: 1, username: 'alice' } }),
      );
      const posted: AuthTabMessage[] = [];
      jest.spyOn(Math, 'random').mockReturnValue(0);
      const { auth, http } = setup({ post: (m) => posted.push(m), listen: () => () => undefined });
      // A quarter of the life before expiry (with no random spread), not at expiry.
      jest.advanceTimersByTime(7499);
      http.expectNone('/api/auth/refresh');
      jest.advanceTimersByTime(1);
      http
        .expectOne('/api/auth/refresh')
        .flush({ accessToken: 't2', expiresIn: 10, user: { id: 1, username: 'alice', role: 'admin' } });
      for (let i = 0; i < 5; i++) await Promise.resolve();
      expect(auth.token).toBe('t2');
      expect(posted).toEqual([{ type: 'renewed', session: expect.objectContaining({ accessToken: 't2' }) }]);
    } finally {
      jest.useRealTimers();
      jest.restoreAllMocks();
    }
  });

  it('a sign-out in another tab signs this tab out; a renewal there is taken here', () => {
    let deliver: (m: AuthTabMessage) => void = () => undefined;
    const { auth } = setup({
      post: () => undefined,
      listen: (h) => {
        deliver = h;
        return () => undefined;
      },
    });
    const user = { id: 1, username: 'alice', role: 'admin' as const };
    deliver({ type: 'renewed', session: { accessToken: 'other', expiresAt: now + 60_000, user } });
    expect(auth.token).toBe('other');
    deliver({ type: 'signed-out', notice: 'You have signed out.' });
    expect(auth.isSignedIn()).toBe(false);
    expect(auth.notice()).toBe('You have signed out.');
  });
});
