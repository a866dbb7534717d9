import { HttpClient, type HttpResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { EMPTY, Observable, catchError, concatMap, ignoreElements, map, range, tap } from 'rxjs';

import type {
  AlertHistoryResponse,
  AlertRule,
  CreateAlertRuleRequest,
  UpdateAlertRuleRequest,
  DashboardHistoryRangeResponse,
  DashboardHistoryResponse,
  DashboardMetrics,
} from '@realtime/contracts';

import { CLOCK_MS, ServerClock } from './server-clock';

/** Typed calls to `/api/dashboard`; every answer also feeds the server clock estimate. */
@Injectable({ providedIn: 'root' })
export class DashboardApi {
  private readonly http = inject(HttpClient);
  private readonly clock = inject(ServerClock);
  private readonly now = inject(CLOCK_MS);

  history(minutes = 15): Observable<DashboardHistoryResponse> {
    return this.measured(
      this.http.get<DashboardHistoryResponse>('/api/dashboard/history', {
        params: { minutes },
        observe: 'response',
      }),
    );
  }

  /** The stored series of `from` … `to` (epoch ms), downsampled by the server, with its annotations. */
  historyRange(from: number, to?: number): Observable<DashboardHistoryRangeResponse> {
    const params: Record<string, number> = { from: Math.floor(from) };
    if (to !== undefined) params['to'] = Math.floor(to);
    return this.http.get<DashboardHistoryRangeResponse>('/api/dashboard/history', { params });
  }

  alertRules(): Observable<AlertRule[]> {
    return this.http.get<AlertRule[]>('/api/alerts/rules');
  }

  createAlertRule(rule: CreateAlertRuleRequest): Observable<AlertRule> {
    return this.http.post<AlertRule>('/api/alerts/rules', rule);
  }

  updateAlertRule(id: number, change: UpdateAlertRuleRequest): Observable<AlertRule> {
    return this.http.patch<AlertRule>(`/api/alerts/rules/${id}`, change);
  }

  deleteAlertRule(id: number): Observable<void> {
    return this.http.delete<void>(`/api/alerts/rules/${id}`);
  }

  alertHistory(): Observable<AlertHistoryResponse> {
    return this.http.get<AlertHistoryResponse>('/api/alerts/history', { params: { limit: 50 } });
  }

  /** Measured while the request is served: its timestamp is a precise server time. */
  snapshot(): Observable<DashboardMetrics> {
    return this.measured(
      this.http.get<DashboardMetrics>('/api/dashboard/snapshot', { observe: 'response' }),
      true,
    );
  }

  /**
   * Reads the server's clock `samples` times, one request after the other, so that the clock
   * estimate can rest on the fastest round trip ({@link ServerClock}). Completes when done;
   * failures end it quietly (the estimate keeps what it has).
   */
  syncClock(samples = 5): Observable<void> {
    return range(0, samples).pipe(
      concatMap(() => this.snapshot()),
      ignoreElements(),
      catchError(() => EMPTY),
    );
  }

  /** A fresh snapshot; the server also pushes it to this user's open streams. */
  refresh(): Observable<DashboardMetrics> {
    return this.measured(
      this.http.post<DashboardMetrics>('/api/dashboard/refresh', null, { observe: 'response' }),
      true,
    );
  }

  private measured<T>(request: Observable<HttpResponse<T>>, freshTimestamp = false): Observable<T> {
    let sentAt = 0;
    return new Observable<HttpResponse<T>>((subscriber) => {
      sentAt = this.now();
      return request.subscribe(subscriber);
    }).pipe(
      tap((res) => {
        const receivedAt = this.now();
        this.clock.addDateHeader(res.headers.get('Date'), sentAt, receivedAt);
        // A refresh is computed while the request is served: its timestamp is a precise server time.
        const ts = (res.body as { timestamp?: unknown } | null)?.timestamp;
        if (freshTimestamp && typeof ts === 'number')
          this.clock.add({ serverTime: ts, sentAt, receivedAt, resolutionMs: 0 });
      }),
      map((res) => res.body as T),
    );
  }
}
