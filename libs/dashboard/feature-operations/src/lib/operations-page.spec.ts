import { TestBed } from '@angular/core/testing';
import { Subject, defer } from 'rxjs';

import type { InstanceStatus, InstancesResponse } from '@realtime/contracts';
import type { ConnectionState, StreamMessage } from '@realtime/dashboard/data-access-realtime';

import { OperationsPage, formatUptime } from './operations-page';
import { OPS_CONNECTION, parseInstances } from './operations-store';

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
  let messages: Subject<StreamMessage<InstancesResponse>>;
  let state: Subject<ConnectionState>;
  let subscribers: number;
  let reconnects: number;

  beforeEach(() => {
    messages = new Subject();
    state = new Subject();
    subscribers = 0;
    reconnects = 0;
    TestBed.configureTestingModule({
      providers: [
        {
          provide: OPS_CONNECTION,
          useValue: {
            messages$: defer(() => {
              subscribers++;
              return messages;
            }),
            state$: state,
            reconnect: () => reconnects++,
          },
        },
      ],
    });
  });

  const render = () => {
    const fixture = TestBed.createComponent(OperationsPage);
    fixture.detectChanges();
    return fixture;
  };
  const list = (self: string, ...instances: InstanceStatus[]): StreamMessage<InstancesResponse> => ({
    kind: 'event',
    value: { self, reportEveryMs: 2000, instances },
  });
  const rows = (el: HTMLElement) => [...el.querySelectorAll('[data-testid="instance-row"]')] as HTMLElement[];

  it('shows every instance of the snapshot with its tick role and marks the one that answered', () => {
    const fixture = render();
    const el = fixture.nativeElement as HTMLElement;
    expect(subscribers).toBe(1);
    expect(el.textContent).toContain('Loading the instances');
    messages.next({ kind: 'open', resumed: false });
    messages.next(list('b', instance('a', 'publishing'), instance('b', 'following', 'down')));
    fixture.detectChanges();
    expect(el.textContent).not.toContain('Loading the instances');
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

  it('follows each change, keeps the last list with the reason while the stream is down, and reconnects', () => {
    const fixture = render();
    const el = fixture.nativeElement as HTMLElement;
    state.next({ kind: 'connected', since: 1 });
    messages.next(list('a', instance('a', 'publishing')));
    fixture.detectChanges();
    expect(rows(el)).toHaveLength(1);
    messages.next(list('a', instance('a', 'publishing'), instance('c', 'following')));
    fixture.detectChanges();
    expect(rows(el).map((r) => r.dataset['instance'])).toEqual(['a', 'c']);

    state.next({ kind: 'disconnected', reason: "Can't reach the server." });
    fixture.detectChanges();
    expect(rows(el)).toHaveLength(2);
    expect(el.querySelector('[role="alert"]')?.textContent).toContain("Can't reach the server.");
    (el.querySelector('[role="alert"] button') as HTMLButtonElement).click();
    expect(reconnects).toBe(1);

    state.next({ kind: 'connected', since: 2 });
    messages.next(list('a', instance('a', 'publishing')));
    fixture.detectChanges();
    expect(el.querySelector('[role="alert"]')).toBeNull();
    expect(rows(el)).toHaveLength(1);
  });

  it('says why when the stream cannot start, instead of loading forever', () => {
    const fixture = render();
    const el = fixture.nativeElement as HTMLElement;
    state.next({ kind: 'unauthorized' });
    fixture.detectChanges();
    expect(el.textContent).not.toContain('Loading the instances');
    expect(el.querySelector('[role="alert"]')?.textContent).toContain('sign in again');
  });

  it('lets the stream go when the page closes', () => {
    const fixture = render();
    expect(messages.observed).toBe(true);
    expect(state.observed).toBe(true);
    fixture.destroy();
    expect(messages.observed).toBe(false);
    expect(state.observed).toBe(false);
  });
});

describe('parseInstances', () => {
  const raw = (event: string, data: string) =>
    ({ type: 'event', event, id: '1', data, receivedAt: 0 }) as never;
  it('reads an instances event and drops anything else', () => {
    expect(parseInstances(raw('instances', '{"self":"a","reportEveryMs":1,"instances":[]}'))).toEqual({
      self: 'a',
      reportEveryMs: 1,
      instances: [],
    });
    expect(parseInstances(raw('instances', 'nope'))).toBeNull();
    expect(parseInstances(raw('instances', '{"self":"a"}'))).toBeNull();
    expect(parseInstances(raw('metrics', '{"instances":[]}'))).toBeNull();
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
