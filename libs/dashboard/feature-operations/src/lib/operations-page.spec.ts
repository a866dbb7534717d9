import { TestBed } from '@angular/core/testing';
import { Subject } from 'rxjs';

import type { InstanceStatus, InstancesResponse } from '@realtime/contracts';
import { OperationsApi } from '@realtime/dashboard/data-access-api';

import { OPERATIONS_POLL_MS, OperationsPage, formatUptime } from './operations-page';

const instance = (
  id: string,
  ticks: InstanceStatus['ticks'],
  redis: InstanceStatus['redis'] = 'up',
): InstanceStatus => ({
  instanceId: id,
  version: '1.2.3',
  startedAt: '2026-01-01T00:00:00.000Z',
  uptimeS: 3725,
  ticks,
  connections: { dashboard: 2, notifications: 1, chat: 3, total: 6 },
  usersHere: 2,
  redis,
  database: 'up',
  eventLoopDelayMs: 12.5,
  heapUsedMb: 80,
  reportedAt: '2026-01-01T01:00:00.000Z',
});

describe('OperationsPage', () => {
  let answers: Subject<InstancesResponse>[];

  beforeEach(() => {
    jest.useFakeTimers();
    answers = [];
    TestBed.configureTestingModule({
      providers: [
        { provide: OPERATIONS_POLL_MS, useValue: 1000 },
        {
          provide: OperationsApi,
          useValue: {
            instances: () => {
              const answer = new Subject<InstancesResponse>();
              answers.push(answer);
              return answer;
            },
          },
        },
      ],
    });
  });
  afterEach(() => jest.useRealTimers());

  const render = () => {
    const fixture = TestBed.createComponent(OperationsPage);
    fixture.detectChanges();
    jest.advanceTimersByTime(0);
    return fixture;
  };
  const rows = (el: HTMLElement) => [...el.querySelectorAll('[data-testid="instance-row"]')] as HTMLElement[];

  it('shows every instance with its tick role and marks the one that answered', () => {
    const fixture = render();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.textContent).toContain('Loading the instances');
    answers[0].next({
      self: 'b',
      reportEveryMs: 2000,
      instances: [instance('a', 'publishing'), instance('b', 'following', 'down')],
    });
    fixture.detectChanges();
    expect(rows(el).map((r) => r.dataset['instance'])).toEqual(['a', 'b']);
    expect(rows(el).map((r) => r.querySelector('[data-testid="ticks"]')?.textContent?.trim())).toEqual([
      'publishing',
      'following',
    ]);
    expect(rows(el)[1].textContent).toContain('this one');
    expect(rows(el)[0].textContent).not.toContain('this one');
    expect(rows(el)[1].querySelector('.down')?.textContent).toBe('down');
    expect(rows(el)[0].textContent).toContain('1h 02m');
    expect(el.querySelector('[data-testid="instance-count"]')?.textContent).toContain('2 instances');
  });

  it('polls again, and keeps the last answer on screen with the error when a poll fails', () => {
    const fixture = render();
    const el = fixture.nativeElement as HTMLElement;
    answers[0].next({ self: 'a', reportEveryMs: 2000, instances: [instance('a', 'publishing')] });
    jest.advanceTimersByTime(1000);
    expect(answers).toHaveLength(2);
    answers[1].error(new Error('offline'));
    fixture.detectChanges();
    expect(rows(el)).toHaveLength(1);
    expect(el.querySelector('[role="alert"]')?.textContent).toBeTruthy();
    jest.advanceTimersByTime(1000);
    answers[2].next({
      self: 'a',
      reportEveryMs: 2000,
      instances: [instance('a', 'publishing'), instance('c', 'following')],
    });
    fixture.detectChanges();
    expect(rows(el)).toHaveLength(2);
    expect(el.querySelector('[role="alert"]')).toBeNull();
    fixture.destroy();
    jest.advanceTimersByTime(5000);
    expect(answers).toHaveLength(3);
  });
});

describe('formatUptime', () => {
  it.each([
    [42, '42s'],
    [60, '1m'],
    [3725, '1h 02m'],
    [90_000, '1d 1h'],
  ])('%d s → %s', (s, text) => expect(formatUptime(s)).toBe(text));
});
