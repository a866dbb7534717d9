import { parseDashboardEvent } from './dashboard-stream';

describe('parseDashboardEvent', () => {
  it('parses metrics and reset events', () => {
    const metrics = parseDashboardEvent({
      type: 'event',
      event: 'metrics',
      id: '3',
      data: '{"activeUsers":2}',
      receivedAt: 10,
    });
    expect(metrics).toEqual({ type: 'metrics', id: '3', data: { activeUsers: 2 }, receivedAt: 10 });
  });

  it('drops what it cannot read', () => {
    const base = { type: 'event' as const, id: '1', receivedAt: 0 };
    expect(parseDashboardEvent({ ...base, event: 'metrics', data: 'not json' })).toBeNull();
    expect(parseDashboardEvent({ ...base, event: 'metrics', data: '42' })).toBeNull();
    expect(parseDashboardEvent({ ...base, event: 'other', data: '{}' })).toBeNull();
  });
});
