import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, InjectionToken, computed, inject, signal } from '@angular/core';
import { Observable, firstValueFrom, map, tap } from 'rxjs';

import type { LoginRequest, LoginResponse, SessionUser } from '@realtime/contracts';

import { CLOCK_MS } from './server-clock';

export interface AuthSession {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  user: SessionUser;
}

export const SESSION_STORAGE_KEY = 'rt.session';

export const SESSION_REJECTED_NOTICE =
  'The server no longer accepts your session (it may have restarted). Please sign in again.';

/** Where the session survives a reload: sessionStorage (per tab, gone with the tab). */
export const SESSION_STORAGE = new InjectionToken<Storage | null>('SESSION_STORAGE', {
  providedIn: 'root',
  factory: () => (typeof sessionStorage === 'undefined' ? null : sessionStorage),
});

/**
 * The signed-in user and the access token: in memory, mirrored to sessionStorage so that a
 * reload keeps the user in until the token expires. The token never goes to localStorage or
 * a URL; EventSource streams use the HttpOnly cookie that login sets.
 */
@Injectable({ providedIn: 'root' })
export class AuthStore {
  private readonly http = inject(HttpClient);
  private readonly storage = inject(SESSION_STORAGE);
  private readonly now = inject(CLOCK_MS);
  private readonly session = signal<AuthSession | null>(this.restore());
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;

  /** A message for the login page (expired session, signed out). */
  readonly notice = signal<string | null>(null);
  readonly user = computed(() => this.session()?.user ?? null);
  readonly isSignedIn = computed(() => this.session() !== null);

  constructor() {
    this.scheduleExpiry();
    inject(DestroyRef).onDestroy(() => clearTimeout(this.expiryTimer));
  }

  get token(): string | null {
    const s = this.session();
    return s && s.expiresAt > this.now() ? s.accessToken : null;
  }

  login(request: LoginRequest): Observable<SessionUser> {
    return this.http.post<LoginResponse>('/api/auth/login', request).pipe(
      tap((res) => {
        this.set({
          accessToken: res.accessToken,
          expiresAt: this.now() + res.expiresIn * 1000,
          user: res.user,
        });
        this.notice.set(null);
      }),
      map((res) => res.user),
    );
  }

  /** Signs out here and asks the server to clear the stream cookie (best effort). */
  logout(notice: string | null = null): void {
    if (this.session()) this.http.post('/api/auth/logout', null).subscribe({ error: () => undefined });
    this.clear(notice);
  }

  /**
   * The one place where every connection (HTTP calls, event streams, the chat socket) reports
   * that the server refused the session. Silent renewal plugs in here: resolve true once the
   * session is renewed, and the caller connects again. Until then: forget the session and say why
   * on the sign-in page (the shell takes the user there).
   */
  sessionRejected(notice = SESSION_REJECTED_NOTICE): Promise<boolean> {
    this.expire(notice);
    return Promise.resolve(false);
  }

  /**
   * Whether the server still accepts the session, after it refused a stream (an EventSource does
   * not say why): a 401 here goes through {@link sessionRejected} (the interceptor); anything else
   * means the refusal was not about the session.
   */
  checkSession(): Promise<boolean> {
    return firstValueFrom(this.http.get('/api/auth/me')).then(
      () => true,
      (e: unknown) => !(e instanceof HttpErrorResponse && e.status === 401) || this.isSignedIn(),
    );
  }

  /** The server refused the token: forget it and say why on the login page. */
  expire(notice = 'Your session has expired. Please sign in again.'): void {
    this.clear(notice);
  }

  private clear(notice: string | null): void {
    this.set(null);
    this.notice.set(notice);
  }

  private set(session: AuthSession | null): void {
    this.session.set(session);
    try {
      if (session) this.storage?.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
      else this.storage?.removeItem(SESSION_STORAGE_KEY);
    } catch {
      // storage full or disabled: the session still lives in memory
    }
    this.scheduleExpiry();
  }

  private restore(): AuthSession | null {
    try {
      const raw = this.storage?.getItem(SESSION_STORAGE_KEY);
      if (!raw) return null;
      const s = JSON.parse(raw) as AuthSession;
      if (typeof s?.accessToken !== 'string' || typeof s.expiresAt !== 'number' || !s.user) return null;
      return s.expiresAt > this.now() ? s : null;
    } catch {
      return null;
    }
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const s = this.session();
    if (!s) return;
    // setTimeout overflows above ~24.8 days; tokens live minutes.
    const ms = Math.min(s.expiresAt - this.now(), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => this.expire(), Math.max(0, ms));
  }
}
