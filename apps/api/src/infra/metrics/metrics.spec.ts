import { Metrics, channelTemplate } from './metrics';

/** The sum of `name`'s samples whose labels include `labels`, read from the text format. */
const value = async (metrics: Metrics, name: string, labels: Record<string, string>) => {
  let sum = 0;
  for (const line of (await metrics.render()).split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
};

describe('channelTemplate', () => {
  it('names a channel without its ids', () => {
    expect(channelTemplate('notifications:user:42')).toBe('notifications:user:*');
    expect(channelTemplate('dashboard:metrics')).toBe('dashboard:metrics');
    expect(channelTemplate('dashboard:user:7')).toBe('dashboard:user:*');
    expect(channelTemplate('chat:room:abc123:extra:more')).toBe('chat:room:*');
  });
});

describe('Metrics', () => {
  it('keeps one registry per instance: two processes in one test do not share counts', async () => {
    const a = new Metrics('1.0.0');
    const b = new Metrics('1.0.0');
    a.authFailure('expired');
    expect(await value(a, 'rt_auth_failures_total', { reason: 'expired' })).toBe(1);
    expect(await value(b, 'rt_auth_failures_total', { reason: 'expired' })).toBe(0);
  });

  it('labels connections with the instance it was given, and counts them up and down', async () => {
    const m = new Metrics('1.0.0');
    m.identify('abc');
    m.connectionOpened('chat');
    m.connectionOpened('chat');
    m.connectionClosed('chat');
    expect(await value(m, 'rt_connections_open', { kind: 'chat', instance_id: 'abc' })).toBe(1);
    expect(await value(m, 'rt_instance_info', { instance_id: 'abc', version: '1.0.0' })).toBe(1);
  });

  it('labels a query by its statement keyword only and a bus message by its channel template', async () => {
    const m = new Metrics();
    m.dbQuery('select * from users where id = ?', 0.001, true);
    m.dbQuery('  INSERT into x values (1)', 0.001, false);
    m.dbQuery('pragma foo', 0.001, true);
    m.busPublished('notifications:user:1');
    m.busPublished('notifications:user:2');
    const count = 'rt_db_query_duration_seconds_count';
    expect(await value(m, count, { statement: 'select', outcome: 'ok' })).toBe(1);
    expect(await value(m, count, { statement: 'insert', outcome: 'error' })).toBe(1);
    expect(await value(m, count, { statement: 'other' })).toBe(1);
    expect(await value(m, 'rt_events_published_total', { channel: 'notifications:user:*' })).toBe(2);
  });

  it('counts stream writes by kind, as of each read: events without heartbeats, every byte', async () => {
    const m = new Metrics();
    m.written('dashboard', 100, true);
    m.written('dashboard', 20, false);
    m.written('some-new-channel', 7, true);
    const events = 'rt_events_delivered_total';
    const bytes = 'rt_stream_bytes_written_total';
    expect(await value(m, events, { channel: 'dashboard' })).toBe(1);
    expect(await value(m, bytes, { kind: 'dashboard' })).toBe(120);
    expect(await value(m, events, { channel: 'other' })).toBe(1);
    m.written('dashboard', 30, true);
    m.written('combined', 5, true);
    expect(await value(m, events, { channel: 'dashboard' })).toBe(2);
    expect(await value(m, bytes, { kind: 'dashboard' })).toBe(150);
    expect(await value(m, bytes, { kind: 'combined' })).toBe(5);
    expect(await value(m, bytes, { kind: 'other' })).toBe(7);
  });

  it('renders the Prometheus text format with the runtime metrics', async () => {
    const text = await new Metrics().render();
    expect(text).toContain('# TYPE rt_auth_failures_total counter');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
