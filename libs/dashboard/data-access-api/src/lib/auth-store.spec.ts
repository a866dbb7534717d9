import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';

import { AuthStore, SESSION_REJECTED_NOTICE, SESSION_STORAGE, SESSION_STORAGE_KEY } from './auth-store';
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

  function setup() {
    TestBed.configureTestingModule({
      providers: [
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

  it('on a 401 forgets the session, says why and goes to the login page', () => {
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

  it('expires by itself when the token runs out', () => {
    jest.useFakeTimers();
    try {
      storage.setItem(
        SESSION_STORAGE_KEY,
        JSON.stringify({ accessToken: 't', expiresAt: now + 5000, user: { id: 1, username: 'alice' } }),
      );
      const { auth } = setup();
      jest.advanceTimersByTime(5000);
      expect(auth.isSignedIn()).toBe(false);
      expect(auth.notice()).toContain('expired');
    } finally {
      jest.useRealTimers();
    }
  });
});
