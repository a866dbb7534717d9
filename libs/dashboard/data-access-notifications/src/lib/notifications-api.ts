import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';

import type {
  CreateNotificationRequest,
  Notification,
  NotificationListResponse,
  NotificationsRead,
} from '@realtime/contracts';

/** Typed calls to `/api/notifications`. */
@Injectable({ providedIn: 'root' })
export class NotificationsApi {
  private readonly http = inject(HttpClient);

  /** Newest first, with the unread count. */
  page(limit = 50): Observable<NotificationListResponse> {
    return this.http.get<NotificationListResponse>('/api/notifications/page', { params: { limit } });
  }

  create(request: CreateNotificationRequest): Observable<Notification> {
    return this.http.post<Notification>('/api/notifications', request);
  }

  markRead(id: number): Observable<Notification> {
    return this.http.put<Notification>(`/api/notifications/${id}/read`, null);
  }

  markAllRead(): Observable<NotificationsRead> {
    return this.http.put<NotificationsRead>('/api/notifications/read-all', null);
  }

  remove(id: number): Observable<void> {
    return this.http.delete<void>(`/api/notifications/${id}`);
  }
}
