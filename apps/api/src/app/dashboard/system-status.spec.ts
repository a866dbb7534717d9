import { againstThreshold, deriveStatus } from './system-status';

describe('system status', () => {
  const ok = { state: 'ok' as const, value: 1 };

  it('compares a value with its threshold', () => {
    expect(againstThreshold(200, 200, 'ms')).toEqual({ state: 'ok', value: 200, unit: 'ms', threshold: 200 });
    expect(againstThreshold(201, 200, 'ms').state).toBe('degraded');
  });

  it('is operational when every component is ok or disabled', () => {
    expect(deriveStatus({ database: ok, redis: { state: 'disabled', value: null }, heap: ok })).toBe(
      'operational',
    );
  });

  it('is degraded when one component is over its threshold or Redis is down', () => {
    expect(deriveStatus({ database: ok, heap: { state: 'degraded', value: 2000 } })).toBe('degraded');
    expect(deriveStatus({ database: ok, redis: { state: 'down', value: null } })).toBe('degraded');
  });

  it('is down when the database is unreachable', () => {
    expect(deriveStatus({ database: { state: 'down', value: null }, heap: ok })).toBe('down');
  });
});
