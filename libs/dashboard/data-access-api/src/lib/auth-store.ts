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

/** What the tabs of one browser tell each other about the one session they share. */
export type AuthTabMessage =
  | { type: 'renewed'; session: AuthSession }
  | { type: 'signed-out'; notice: string | null };

/** The channel between the tabs (BroadcastChannel); null where there is none (tests, old browsers). */
export interface AuthTabChannel {
  post(message: AuthTabMessage): void;
  listen(handler: (message: AuthTabMessage) => void): () => void;
}

export const AUTH_TAB_CHANNEL = new InjectionToken<AuthTabChannel | null>('AUTH_TAB_CHANNEL', {
  providedIn: 'root',
  factory: () => {
    if (typeof BroadcastChannel === 'undefined') return null;
    const channel = new BroadcastChannel('rt.auth');
    return {
      post: (message) => channel.postMessage(message),
      listen: (handler) => {
        const listener = (e: MessageEvent<AuthTabMessage>) => handler(e.data);
        channel.addEventListener('message', listener);
        return () => channel.removeEventListener('message', listener);
      },
    };
  },
});

/** Renew this long before the access token expires: a quarter of its life, at least 2 s. */
export function renewLeadMs(lifetimeMs: number): number {
  return Math.max(2000, lifetimeMs / 4);
}

/**
 * The signed-in user and the access token, renewed silently before it expires with the
 * session's HttpOnly refresh cookie (which the tabs of the browser share). The token lives in
 * memory, mirrored to sessionStorage for a reload; never in localStorage or a URL.
 *
 * Tabs: a renewal in one tab is handed to the others (BroadcastChannel), so usually one tab
 * renews for all; a tab opened later signs itself in from the cookie (`restore()`); signing out
 * in one tab signs every tab out. Any connection that meets an authentication failure calls
 * `renew()` and retries with the fresh token when it answers true.
 */
@Injectable({ providedIn: 'root' })
export class AuthStore {
  private readonly http = inject(HttpClient);
  private readonly storage = inject(SESSION_STORAGE);
  private readonly now = inject(CLOCK_MS);
  private readonly tabs = inject(AUTH_TAB_CHANNEL);
  private readonly session = signal<AuthSession | null>(this.restoreFromStorage());
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<boolean> | null = null;
  private restoring: Promise<boolean> | null = null;
  /** What the sign-in page says when a rejected session cannot be renewed. */
  private rejectNotice: string | null = null;

  /** A message for the login page (expired session, signed out). */
  readonly notice = signal<string | null>(null);
  readonly user = computed(() => this.session()?.user ?? null);
  readonly isSignedIn = computed(() => this.session() !== null);
  /** The current access token as a signal, for connections that follow renewals (the chat socket). */
  readonly accessToken = computed(() => this.session()?.accessToken ?? null);

  constructor() {
    this.scheduleRenewal();
    const stop = this.tabs?.listen((m) => this.fromOtherTab(m));
    inject(DestroyRef).onDestroy(() => {
      clearTimeout(this.renewTimer);
      stop?.();
    });
  }

  get token(): string | null {
    const s = this.session();
    return s && s.expiresAt > this.now() ? s.accessToken : null;
  }

  login(request: LoginRequest): Observable<SessionUser> {
    return this.http.post<LoginResponse>('/api/auth/login', request).pipe(
      tap((res) => {
        this.adopt(res);
        this.notice.set(null);
      }),
      map((res) => res.user),
    );
  }

  /**
   * A fresh access token from the session cookie. True when this tab holds a valid token
   * afterwards; false when the session is over (the user is signed out, every tab with it) or the
   * server cannot be reached (the session is kept: a later call may succeed). One call at a time.
   */
  renew(): Promise<boolean> {
    this.renewing ??= this.doRenew().finally(() => (this.renewing = null));
    return this.renewing;
  }

  /**
   * For a tab that starts without a token (opened later, or reloaded after expiry): signs in from
   * the session cookie when there is one. Resolves with whether a token is held.
   */
  restore(): Promise<boolean> {
    if (this.token) return Promise.resolve(true);
    this.restoring ??= this.renew().finally(() => (this.restoring = null));
    return this.restoring;
  }

  /** Signs out here and in every tab, and revokes the session on the server (best effort). */
  logout(notice: string | null = null): void {
    this.http.post('/api/auth/logout', null).subscribe({ error: () => undefined });
    this.clear(notice);
    this.tabs?.post({ type: 'signed-out', notice });
  }

  /** The session is over (the server refused it): forget it and say why on the login page. */
  expire(notice = 'Your session has expired. Please sign in again.'): void {
    this.clear(notice);
  }

  private async doRenew(): Promise<boolean> {
    try {
      const res = await firstValueFrom(this.http.post<LoginResponse>('/api/auth/refresh', null));
      this.adopt(res);
      this.rejectNotice = null;
      return true;
    } catch (err) {
      if (err instanceof HttpErrorResponse && (err.status === 401 || err.status === 403)) {
        if (this.session() !== null) {
          this.clear(this.rejectNotice ?? 'Your session has ended. Please sign in again.');
          this.tabs?.post({ type: 'signed-out', notice: this.notice() });
        }
        return false;
      }
      // Offline or the server is restarting: try again shortly, keep the user.
      this.scheduleRenewal(5000);
      return false;
    }
  }

  /** A login or renewal answer: hold it, tell the other tabs, plan the next renewal. */
  private adopt(res: LoginResponse): void {
    const session = {
      accessToken: res.accessToken,
      expiresAt: this.now() + res.expiresIn * 1000,
      user: res.user,
    };
    this.set(session);
    this.tabs?.post({ type: 'renewed', session });
  }

  private fromOtherTab(message: AuthTabMessage): void {
    if (message.type === 'renewed') {
      const mine = this.session();
      if (!mine || message.session.expiresAt > mine.expiresAt || message.session.user.id !== mine.user.id) {
        this.set(message.session);
        this.notice.set(null);
      }
    } else if (this.session()) {
      this.clear(message.notice);
    }
  }

  /**
   * The one place where every connection (HTTP calls, event streams, the chat socket) reports
   * that the server refused the session: renews it from the session cookie. True once renewed
   * (the caller connects again with the fresh token); false when the session is over (signed out
   * here and in every tab, with `notice` on the sign-in page) or the server cannot be reached.
   */
  async sessionRejected(notice = SESSION_REJECTED_NOTICE): Promise<boolean> {
    this.rejectNotice = notice;
    return this.renew();
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
    this.scheduleRenewal();
  }

  private restoreFromStorage(): AuthSession | null {
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

  /** Renews a little before expiry (a random spread, so that tabs rarely renew together). */
  private scheduleRenewal(afterMs?: number): void {
    clearTimeout(this.renewTimer);
    const s = this.session();
    if (!s) return;
    let ms = afterMs;
    if (ms === undefined) {
      const left = s.expiresAt - this.now();
      const lead = renewLeadMs(Math.max(left, 0));
      ms = left - lead * (1 + Math.random() * 0.3);
    }
    // setTimeout overflows above ~24.8 days; tokens live minutes.
    this.renewTimer = setTimeout(() => void this.renew(), Math.min(Math.max(0, ms), 2 ** 31 - 1));
  }
}
