import { TestBed } from '@angular/core/testing';
import { Subject, of } from 'rxjs';

import type { AlertRule } from '@realtime/contracts';
import { DashboardApi } from '@realtime/dashboard/data-access-api';
import { DashboardStream } from '@realtime/dashboard/data-access-realtime';

import { AlertsPage } from './alerts-page';

const RULE: AlertRule = {
  id: 7,
  name: 'orders stopped',
  metric: 'ordersPerMinute',
  condition: 'below',
  threshold: 2,
  hysteresis: 0,
  durationSeconds: 300,
  recipients: { users: [{ id: 2, username: 'bob' }], roles: ['operator'] },
  enabled: true,
  state: 'firing',
  stateSince: '2026-11-30T10:00:00.000Z',
  lastValue: 0,
  createdBy: { id: 2, username: 'bob' },
  createdAt: '2026-11-30T09:00:00.000Z',
};

describe('AlertsPage', () => {
  let rules: AlertRule[];
  const api = {
    alertRules: jest.fn(() => of(rules)),
    alertHistory: jest.fn(() => of({ items: [], nextCursor: null })),
    createAlertRule: jest.fn(() => of(RULE)),
    updateAlertRule: jest.fn((id: number, change: Partial<AlertRule>) => {
      rules = rules.map((r) => (r.id === id ? { ...r, ...change, state: 'ok' } : r));
      return of(rules[0]);
    }),
    deleteAlertRule: jest.fn(() => of(undefined)),
  };

  let messages: Subject<unknown>;

  beforeEach(() => {
    jest.clearAllMocks();
    rules = [RULE];
    messages = new Subject();
    TestBed.configureTestingModule({
      providers: [
        { provide: DashboardApi, useValue: api },
        { provide: DashboardStream, useValue: { messages$: messages } },
      ],
    });
  });

  async function render() {
    const fixture = TestBed.createComponent(AlertsPage);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const byLabel = (label: string) => el.querySelector<HTMLElement>(`[aria-label="${label}"]`)!;
    const field = (id: string) => el.querySelector<HTMLInputElement>(`[data-testid=${id}]`)!;
    return { fixture, el, byLabel, field };
  }

  it("fills the form with a rule's fields and saves the change to that rule", async () => {
    const { fixture, el, byLabel, field } = await render();
    byLabel('Change orders stopped').click();
    await fixture.whenStable();
    expect(field('rule-name').value).toBe('orders stopped');
    expect(field('rule-threshold').value).toBe('2');
    expect(field('rule-users').value).toBe('bob');
    expect((field('rule-role-operator') as HTMLInputElement).checked).toBe(true);
    expect(field('rule-create').textContent).toContain('Save changes');

    expect(field('rule-hysteresis').value).toBe('0');
    for (const [id, value] of [
      ['rule-threshold', '5'],
      ['rule-hysteresis', '1'],
    ]) {
      field(id).value = value;
      field(id).dispatchEvent(new Event('input'));
    }
    await fixture.whenStable();
    field('rule-create').click();
    await fixture.whenStable();
    expect(api.createAlertRule).not.toHaveBeenCalled();
    expect(api.updateAlertRule).toHaveBeenCalledWith(7, {
      name: 'orders stopped',
      metric: 'ordersPerMinute',
      condition: 'below',
      threshold: 5,
      hysteresis: 1,
      durationSeconds: 300,
      recipients: { users: ['bob'], roles: ['operator'] },
    });
    // The form adds rules again, and the list shows the rule as the server now has it.
    expect(field('rule-create').textContent).toContain('Add rule');
    expect(field('rule-name').value).toBe('');
    expect(el.querySelector('[data-testid=rule-state]')?.textContent).toBe('ok');
    expect(el.querySelector('[data-testid=rule]')?.textContent).toContain(
      'ordersPerMinute below 5 (resolves at 6 or more) for 300 s',
    );
  });

  it('disables and enables a rule, a disabled one shown as such', async () => {
    const { fixture, el, byLabel } = await render();
    byLabel('Disable orders stopped').click();
    await fixture.whenStable();
    expect(api.updateAlertRule).toHaveBeenCalledWith(7, { enabled: false });
    expect(el.querySelector('[data-testid=rule]')?.getAttribute('data-state')).toBe('disabled');
    expect(el.querySelector('[data-testid=rule-state]')?.textContent).toBe('disabled');
    byLabel('Enable orders stopped').click();
    await fixture.whenStable();
    expect(api.updateAlertRule).toHaveBeenLastCalledWith(7, { enabled: true });
  });

  it('reads the rules again when one fires or resolves (its annotation on the stream), or after a resume', async () => {
    const { fixture, el } = await render();
    expect(api.alertRules).toHaveBeenCalledTimes(1);
    const annotation = (kind: string) => ({
      kind: 'event',
      value: { type: 'annotation', id: '1', receivedAt: 0, data: { id: 1, time: 0, kind, text: 'x' } },
    });
    messages.next(annotation('deploy'));
    messages.next({ kind: 'open', resumed: false });
    messages.next({ kind: 'event', value: { type: 'metrics', id: '2', receivedAt: 0, data: {} } });
    expect(api.alertRules).toHaveBeenCalledTimes(1);

    rules = [{ ...RULE, state: 'ok' }];
    messages.next(annotation('alert-resolved'));
    await fixture.whenStable();
    expect(api.alertRules).toHaveBeenCalledTimes(2);
    expect(api.alertHistory).toHaveBeenCalledTimes(2);
    expect(el.querySelector('[data-testid=rule-state]')?.textContent).toBe('ok');
    messages.next({ kind: 'open', resumed: true });
    expect(api.alertRules).toHaveBeenCalledTimes(3);

    fixture.destroy();
    messages.next(annotation('alert-firing'));
    expect(api.alertRules).toHaveBeenCalledTimes(3);
  });
});
