import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { Subject, catchError, filter, forkJoin, of, switchMap } from 'rxjs';

import {
  ALERT_CONDITIONS,
  ALERT_METRICS,
  ALERT_RECIPIENT_ROLES,
  type AlertCondition,
  type AlertEvent,
  type AlertMetric,
  type AlertRecipientRole,
  type AlertRule,
  type CreateAlertRuleRequest,
} from '@realtime/contracts';
import { DashboardApi, friendlyHttpError } from '@realtime/dashboard/data-access-api';
import { DashboardStream } from '@realtime/dashboard/data-access-realtime';

/**
 * Alert rules: the list with their state (live), a form to add or change one, disable, delete,
 * and the alert history.
 */
@Component({
  selector: 'rt-alerts-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule],
  template: `
    <header class="page-head"><h1>Alert rules</h1></header>
    @if (error(); as e) {
      <div class="banner" data-tone="down" role="alert" data-testid="alerts-error">{{ e }}</div>
    }
    <form
      class="rt-card rule-form"
      (ngSubmit)="save()"
      data-testid="rule-form"
      [attr.aria-label]="editing() ? 'Change rule ' + editing()!.name : 'New rule'"
    >
      <label
        >Name <input name="name" [(ngModel)]="name" required maxlength="100" data-testid="rule-name"
      /></label>
      <label
        >Metric
        <select name="metric" [(ngModel)]="metric" data-testid="rule-metric">
          @for (m of metrics; track m) {
            <option [value]="m">{{ m }}</option>
          }
        </select>
      </label>
      <label
        >Condition
        <select name="condition" [(ngModel)]="condition" data-testid="rule-condition">
          @for (c of conditions; track c) {
            <option [value]="c">{{ c }}</option>
          }
        </select>
      </label>
      @if (condition !== 'not-operational') {
        <label
          >Threshold
          <input
            name="threshold"
            type="number"
            step="any"
            [(ngModel)]="threshold"
            data-testid="rule-threshold"
        /></label>
        <label title="How far back across the threshold the value must go before a firing rule resolves"
          >Hysteresis
          <input
            name="hysteresis"
            type="number"
            min="0"
            step="any"
            [(ngModel)]="hysteresis"
            data-testid="rule-hysteresis"
        /></label>
      }
      <label
        >For (seconds)
        <input
          name="duration"
          type="number"
          min="0"
          [(ngModel)]="durationSeconds"
          data-testid="rule-duration"
      /></label>
      <label
        >Users (names, comma-separated)
        <input name="users" [(ngModel)]="users" data-testid="rule-users" />
      </label>
      <fieldset>
        <legend>Roles</legend>
        @for (r of roles; track r) {
          <label class="inline"
            ><input
              type="checkbox"
              [name]="'role-' + r"
              [ngModel]="pickedRoles().includes(r)"
              (ngModelChange)="toggleRole(r, $event)"
              [attr.data-testid]="'rule-role-' + r"
            />
            {{ r }}</label
          >
        }
      </fieldset>
      <button type="submit" class="btn primary" data-testid="rule-create" [disabled]="busy()">
        {{ editing() ? 'Save changes' : 'Add rule' }}
      </button>
      @if (editing()) {
        <button type="button" class="btn" (click)="stopEditing()" data-testid="rule-cancel">Cancel</button>
      }
    </form>

    <section class="rt-card" aria-label="Rules">
      <h2>Rules</h2>
      @if (rules().length === 0) {
        <p class="muted" data-testid="rules-empty">No rules yet.</p>
      }
      <ul class="rules" data-testid="rules">
        @for (r of rules(); track r.id) {
          <li [attr.data-state]="r.enabled ? r.state : 'disabled'" data-testid="rule">
            <span class="rule-name">{{ r.name }}</span>
            <span class="muted">{{ describe(r) }}</span>
            <span class="state" data-testid="rule-state">{{ r.enabled ? r.state : 'disabled' }}</span>
            <button type="button" class="btn" (click)="edit(r)" [attr.aria-label]="'Change ' + r.name">
              Change
            </button>
            <button
              type="button"
              class="btn"
              (click)="setEnabled(r, !r.enabled)"
              [attr.aria-label]="(r.enabled ? 'Disable ' : 'Enable ') + r.name"
            >
              {{ r.enabled ? 'Disable' : 'Enable' }}
            </button>
            <button type="button" class="btn" (click)="remove(r)" [attr.aria-label]="'Delete ' + r.name">
              Delete
            </button>
          </li>
        }
      </ul>
    </section>

    <section class="rt-card" aria-label="Alert history">
      <h2>Alert history</h2>
      @if (events().length === 0) {
        <p class="muted">Nothing has fired yet.</p>
      }
      <ul class="events" data-testid="alert-history">
        @for (e of events(); track e.id) {
          <li [attr.data-kind]="e.kind">
            <time [attr.datetime]="e.at">{{ when(e.at) }}</time>
            <strong>{{ e.kind === 'firing' ? 'Fired' : 'Resolved' }}</strong> {{ e.ruleName }}:
            {{ e.metric }} was {{ e.value }} · {{ e.notified }} notified
          </li>
        }
      </ul>
    </section>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 1rem;
    }
    h1 {
      margin: 0;
      font-size: 1.375rem;
    }
    .rt-card {
      padding: 1rem 1.25rem;
    }
    .events time {
      margin-right: 0.5rem;
    }
    h2 {
      margin: 0 0 0.5rem;
      font-size: 1rem;
    }
    .rule-form {
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
      align-items: flex-end;
    }
    .rule-form label {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      font-size: 0.8125rem;
    }
    .rule-form label.inline {
      flex-direction: row;
      align-items: center;
    }
    fieldset {
      border: 0;
      padding: 0;
      margin: 0;
      display: flex;
      gap: 0.5rem;
      align-items: center;
      font-size: 0.8125rem;
    }
    .rules,
    .events {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
    }
    .rules li {
      display: flex;
      gap: 0.75rem;
      align-items: center;
      flex-wrap: wrap;
    }
    .rule-name {
      font-weight: 600;
    }
    .state {
      text-transform: uppercase;
      font-size: 0.75rem;
    }
    li[data-state='firing'] .state {
      color: var(--down);
    }
    li[data-state='disabled'] .rule-name {
      color: var(--muted);
    }
    .muted {
      color: var(--muted);
      font-size: 0.8125rem;
    }
    .banner {
      padding: 0.625rem 0.875rem;
      border-radius: var(--radius);
    }
  `,
})
export class AlertsPage {
  private readonly api = inject(DashboardApi);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly metrics = ALERT_METRICS;
  protected readonly conditions = ALERT_CONDITIONS;
  protected readonly roles = ALERT_RECIPIENT_ROLES;

  protected readonly rules = signal<AlertRule[]>([]);
  protected readonly events = signal<AlertEvent[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  /** The rule the form changes, or null when it adds one. */
  protected readonly editing = signal<AlertRule | null>(null);
  protected readonly pickedRoles = signal<AlertRecipientRole[]>([]);
  protected readonly firing = computed(() => this.rules().filter((r) => r.state === 'firing').length);

  protected name = '';
  protected metric: AlertMetric = 'ordersPerMinute';
  protected condition: AlertCondition = 'below';
  protected threshold: number | null = 1;
  protected durationSeconds = 0;
  protected hysteresis = 0;
  protected users = '';

  private readonly reloads = new Subject<void>();

  constructor() {
    this.reloads
      .pipe(
        switchMap(() =>
          forkJoin([
            this.api.alertRules().pipe(
              catchError((e: unknown) => {
                this.error.set(friendlyHttpError(e, 'load the rules'));
                return of(null);
              }),
            ),
            this.api.alertHistory().pipe(catchError(() => of(null))),
          ]),
        ),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe(([rules, history]) => {
        if (rules) this.rules.set(rules);
        if (history) this.events.set(history.items);
      });
    this.load();
    // Live: a rule that fires or resolves is annotated on the dashboard stream, so the list and the
    // history are read again then (and after a resume, which may have missed some).
    inject(DashboardStream)
      .messages$.pipe(
        filter((m) =>
          m.kind === 'open'
            ? m.resumed
            : m.value.type === 'annotation' && m.value.data.kind.startsWith('alert-'),
        ),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe(() => this.load());
  }

  protected toggleRole(role: AlertRecipientRole, on: boolean): void {
    this.pickedRoles.update((r) => (on ? [...new Set([...r, role])] : r.filter((x) => x !== role)));
  }

  /** Fills the form with a rule's fields; saving then changes that rule. */
  protected edit(rule: AlertRule): void {
    this.editing.set(rule);
    this.name = rule.name;
    this.metric = rule.metric;
    this.condition = rule.condition;
    this.threshold = rule.threshold;
    this.durationSeconds = rule.durationSeconds;
    this.hysteresis = rule.hysteresis;
    this.users = rule.recipients.users.map((u) => u.username).join(', ');
    this.pickedRoles.set([...rule.recipients.roles]);
  }

  protected stopEditing(): void {
    this.editing.set(null);
    this.name = '';
    this.hysteresis = 0;
    this.users = '';
    this.pickedRoles.set([]);
  }

  protected save(): void {
    const users = this.users
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    const rule: CreateAlertRuleRequest = {
      name: this.name.trim(),
      metric: this.metric,
      condition: this.condition,
      durationSeconds: Number(this.durationSeconds) || 0,
      recipients: { users, roles: this.pickedRoles() },
    };
    if (this.condition !== 'not-operational') {
      rule.threshold = Number(this.threshold);
      rule.hysteresis = Number(this.hysteresis) || 0;
    }
    const editing = this.editing();
    const saved = editing
      ? this.api.updateAlertRule(editing.id, { ...rule, threshold: rule.threshold ?? null })
      : this.api.createAlertRule(rule);
    this.busy.set(true);
    saved.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: () => {
        this.busy.set(false);
        this.error.set(null);
        this.stopEditing();
        this.load();
      },
      error: (e: unknown) => {
        this.busy.set(false);
        this.error.set(friendlyHttpError(e, editing ? 'change the rule' : 'add the rule'));
      },
    });
  }

  protected setEnabled(rule: AlertRule, enabled: boolean): void {
    this.api
      .updateAlertRule(rule.id, { enabled })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => this.load(),
        error: (e: unknown) =>
          this.error.set(friendlyHttpError(e, enabled ? 'enable the rule' : 'disable the rule')),
      });
  }

  protected remove(rule: AlertRule): void {
    this.api
      .deleteAlertRule(rule.id)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => this.load(),
        error: (e: unknown) => this.error.set(friendlyHttpError(e, 'delete the rule')),
      });
  }

  protected describe(r: AlertRule): string {
    const back =
      r.hysteresis && r.threshold !== null
        ? r.condition === 'above'
          ? ` (resolves at ${r.threshold - r.hysteresis} or less)`
          : ` (resolves at ${r.threshold + r.hysteresis} or more)`
        : '';
    const what =
      r.condition === 'not-operational' ? 'not operational' : `${r.condition} ${r.threshold}${back}`;
    const who = [...r.recipients.users.map((u) => u.username), ...r.recipients.roles.map((x) => `${x}s`)];
    return `${r.metric} ${what}${r.durationSeconds ? ` for ${r.durationSeconds} s` : ''} → ${who.join(', ')}`;
  }

  protected when(iso: string): string {
    return new Date(iso).toLocaleString();
  }

  /** Reads the rules and the history again; a read still under way is dropped (the newest wins). */
  private load(): void {
    this.reloads.next();
  }
}
