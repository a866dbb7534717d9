import type { ApiProcess } from '@realtime/test-support';

/** One sample of the Prometheus text format: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed scrape: the declared metric names (`# TYPE`) and every sample. */
export class Scrape {
  constructor(
    readonly types: Map<string, string>,
    readonly samples: Sample[],
  ) {}

  static parse(text: string): Scrape {
    const types = new Map<string, string>();
    const samples: Sample[] = [];
    for (const line of text.split('\n')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) {
        types.set(type[1], type[2]);
        continue;
      }
      if (!line || line.startsWith('#')) continue;
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
      samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
    return new Scrape(types, samples);
  }

  /** The sum of the samples of `name` whose labels include `labels`. */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  }

  /** The label sets of `name`'s samples. */
  series(name: string): Array<Record<string, string>> {
    return this.samples.filter((s) => s.name === name).map((s) => s.labels);
  }
}

/** `GET /api/metrics` with the scrape token. */
export async function scrape(api: ApiProcess, token: string): Promise<Scrape> {
  const res = await fetch(`${api.baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`metrics → ${res.status} ${await res.text()}`);
  return Scrape.parse(await res.text());
}

/** Every metric the service promises (README, Observability), besides prom-client's defaults. */
export const OWN_METRICS = [
  'rt_http_request_duration_seconds',
  'rt_auth_failures_total',
  'rt_rate_limit_refusals_total',
  'rt_socket_event_duration_seconds',
  'rt_connections_open',
  'rt_redis_roundtrip_seconds',
  'rt_redis_reconnects_total',
  'rt_db_query_duration_seconds',
  'rt_tick_fanout_duration_seconds',
  'rt_events_published_total',
  'rt_bus_messages_received_total',
  'rt_events_delivered_total',
  'rt_stream_bytes_written_total',
  'rt_slow_readers_dropped_total',
  'rt_resumes_total',
  'rt_instance_info',
];
/** Event-loop delay, heap and GC, from prom-client's default metrics. */
export const RUNTIME_METRICS = [
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_gc_duration_seconds',
  'process_cpu_seconds_total',
];

/** Scrapes `api` until `done` holds: counters move after the response that caused them. */
export async function scrapeUntil(
  api: ApiProcess,
  token: string,
  done: (s: Scrape) => boolean,
  what: string,
): Promise<Scrape> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const s = await scrape(api, token);
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
