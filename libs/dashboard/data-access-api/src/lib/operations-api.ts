import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';

import type { InstancesResponse } from '@realtime/contracts';

/** Typed calls to `/api/ops` (admins only). */
@Injectable({ providedIn: 'root' })
export class OperationsApi {
  private readonly http = inject(HttpClient);

  /** Every instance of the cluster that reported lately. */
  instances(): Observable<InstancesResponse> {
    return this.http.get<InstancesResponse>('/api/ops/instances');
  }
}
