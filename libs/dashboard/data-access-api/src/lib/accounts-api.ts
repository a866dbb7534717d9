import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';

import type {
  ApiKeyInfo,
  ChangePasswordRequest,
  CreateApiKeyRequest,
  CreateUserRequest,
  CreatedApiKey,
  SessionInfo,
  UpdateUserRequest,
  UserAccount,
} from '@realtime/contracts';

/** Typed calls for accounts: admin user and API-key management, one's own password and sessions. */
@Injectable({ providedIn: 'root' })
export class AccountsApi {
  private readonly http = inject(HttpClient);

  users(): Observable<UserAccount[]> {
    return this.http.get<UserAccount[]>('/api/users');
  }

  createUser(request: CreateUserRequest): Observable<UserAccount> {
    return this.http.post<UserAccount>('/api/users', request);
  }

  updateUser(id: number, change: UpdateUserRequest): Observable<UserAccount> {
    return this.http.patch<UserAccount>(`/api/users/${id}`, change);
  }

  apiKeys(): Observable<ApiKeyInfo[]> {
    return this.http.get<ApiKeyInfo[]>('/api/api-keys');
  }

  createApiKey(request: CreateApiKeyRequest): Observable<CreatedApiKey> {
    return this.http.post<CreatedApiKey>('/api/api-keys', request);
  }

  revokeApiKey(id: number): Observable<ApiKeyInfo> {
    return this.http.delete<ApiKeyInfo>(`/api/api-keys/${id}`);
  }

  changePassword(request: ChangePasswordRequest): Observable<void> {
    return this.http.put<void>('/api/auth/password', request);
  }

  /** One's own signed-in browsers and devices, `current` the one asking. */
  sessions(): Observable<SessionInfo[]> {
    return this.http.get<SessionInfo[]>('/api/auth/sessions');
  }

  revokeSession(id: string): Observable<void> {
    return this.http.delete<void>(`/api/auth/sessions/${encodeURIComponent(id)}`);
  }

  signOutEverywhere(): Observable<{ revoked: number }> {
    return this.http.post<{ revoked: number }>('/api/auth/logout-all', null);
  }
}
