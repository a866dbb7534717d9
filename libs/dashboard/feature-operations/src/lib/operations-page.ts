import { ChangeDetectionStrategy, Component, inject } from '@angular/core';

import type { InstanceStatus } from '@realtime/contracts';

import { OperationsStore } from './operations-store';

/** `3725` → `1h 02m`; under a minute in seconds. */
export function formatUptime(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m`;
}

/**
 * Every instance of the cluster, as the answering instance heard them over the event bus:
 * connections, tick role, Redis and database, event-loop delay, heap, uptime and version.
 * Live over the browser's one stream (the `ops` channel, see OperationsStore): the list at once,
 * then again after every change; while the stream is down the last list stays with the reason.
 */
@Component({
  selector: 'rt-operations-page',
  providers: [OperationsStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="page" aria-labelledby="ops-title">
      <h1 id="ops-title">Operations</h1>
      @if (view().loading) {
        <p role="status">Loading the instances…</p>
      }
      @if (view().error; as error) {
        <p role="alert" class="error">
          {{ error }}
          @if (view().canReconnect) {
            <button type="button" (click)="reconnect()">Reconnect</button>
          }
        </p>
      }
      @if (view().data; as d) {
        <p class="summary" data-testid="instance-count">
          {{ d.instances.length }} {{ d.instances.length === 1 ? 'instance' : 'instances' }} reporting every
          {{ d.reportEveryMs / 1000 }} s
        </p>
        <!-- Scrolls sideways on a phone: focusable so a keyboard can scroll it too. -->
        <div class="scroll" tabindex="0" role="region" aria-label="Instances of the cluster">
          <table>
            <caption class="visually-hidden">
              Instances of the cluster
            </caption>
            <thead>
              <tr>
                <th scope="col">Instance</th>
                <th scope="col">Ticks</th>
                <th scope="col">Connections</th>
                <th scope="col">Users</th>
                <th scope="col">Redis</th>
                <th scope="col">Database</th>
                <th scope="col">Event loop p99</th>
                <th scope="col">Heap</th>
                <th scope="col">Uptime</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              @for (i of d.instances; track i.instanceId) {
                <tr data-testid="instance-row" [attr.data-instance]="i.instanceId">
                  <th scope="row">
                    <code>{{ i.instanceId }}</code>
                    @if (i.instanceId === d.self) {
                      <span class="badge">this one</span>
                    }
                  </th>
                  <td data-testid="ticks">{{ i.ticks }}</td>
                  <td>
                    {{ i.connections.total }}
                    <span class="detail"
                      >({{ i.connections.dashboard }} dashboard,
                      {{ i.connections.notifications }} notifications, {{ i.connections.chat }} chat)</span
                    >
                  </td>
                  <td>{{ i.usersHere }}</td>
                  <td [class]="stateClass(i.redis)">{{ i.redis }}</td>
                  <td [class]="stateClass(i.database)">{{ i.database }}</td>
                  <td>{{ i.eventLoopDelayMs }} ms</td>
                  <td>{{ i.heapUsedMb }} MB</td>
                  <td>{{ uptime(i) }}</td>
                  <td>{{ i.version }}</td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      }
    </section>
  `,
  styles: `
    .page {
      padding: 1rem;
    }
    .scroll {
      overflow-x: auto;
    }
    table {
      border-collapse: collapse;
      width: 100%;
    }
    th,
    td {
      text-align: left;
      padding: 0.4rem 0.6rem;
      border-bottom: 1px solid var(--border, #ddd);
      white-space: nowrap;
    }
    .detail {
      color: var(--muted, #666);
      font-size: 0.85em;
    }
    .badge {
      margin-left: 0.4rem;
      font-size: 0.75em;
      padding: 0 0.3rem;
      border-radius: 0.3rem;
      border: 1px solid currentColor;
    }
    .down {
      color: var(--danger, #b00020);
      font-weight: 600;
    }
    .error {
      color: var(--danger, #b00020);
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
  `,
})
export class OperationsPage {
  private readonly store = inject(OperationsStore);
  protected readonly view = this.store.view;

  protected reconnect(): void {
    this.store.reconnect();
  }

  protected uptime(i: InstanceStatus): string {
    return formatUptime(i.uptimeS);
  }

  protected stateClass(state: string): string {
    return state === 'down' ? 'down' : '';
  }
}
