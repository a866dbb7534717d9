import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Why a credential was refused; `bad_login` is a wrong username or password at login. */
export type AuthFailureReason = 'no_credentials' | 'expired' | 'forged' | 'revoked' | 'bad_login';
export const AUTH_FAILURE_REASONS: readonly AuthFailureReason[] = [
  'no_credentials',
  'expired',
  'forged',
  'revoked',
  'bad_login',
];

/** What a client holds open on this instance (the socket is the chat's socket.io connection). */
export type ConnectionKind = 'dashboard' | 'notifications' | 'combined' | 'chat';
export const CONNECTION_KINDS: readonly ConnectionKind[] = ['dashboard', 'notifications', 'combined', 'chat'];

/** The SSE streams (a subset of the connection kinds). */
export type StreamKind = Exclude<ConnectionKind, 'chat'>;
export const STREAM_KINDS: readonly StreamKind[] = ['dashboard', 'notifications', 'combined'];

/** How a `Last-Event-ID` was honoured: from the tick ring, with a `reset`, or from the database. */
export type ResumeOutcome = 'replayed' | 'reset' | 'from_database';
export const RESUME_OUTCOMES: readonly ResumeOutcome[] = ['replayed', 'reset', 'from_database'];

/**
 * Every metric this service exports, by name: the Grafana dashboard's test checks its queries
 * against this list, and the e2e suite checks that each is exported.
 */
export const METRIC_NAMES = {
  httpDuration: 'rt_http_request_duration_seconds',
  authFailures: 'rt_auth_failures_total',
  rateLimitRefusals: 'rt_rate_limit_refusals_total',
  socketEventDuration: 'rt_socket_event_duration_seconds',
  connectionsOpen: 'rt_connections_open',
  redisRoundTrip: 'rt_redis_roundtrip_seconds',
  redisReconnects: 'rt_redis_reconnects_total',
  dbQueryDuration: 'rt_db_query_duration_seconds',
  tickFanOut: 'rt_tick_fanout_duration_seconds',
  eventsPublished: 'rt_events_published_total',
  busMessagesReceived: 'rt_bus_messages_received_total',
  eventsDelivered: 'rt_events_delivered_total',
  bytesWritten: 'rt_stream_bytes_written_total',
  slowReadersDropped: 'rt_slow_readers_dropped_total',
  resumes: 'rt_resumes_total',
  instanceInfo: 'rt_instance_info',
} as const;

/**
 * A bus channel's name without its ids, so that labels stay bounded: `notifications:user:42`
 * → `notifications:user:*`. A segment with anything but letters and dashes is an id.
 */
export function channelTemplate(channel: string): string {
  return channel
    .split(':')
    .slice(0, 3)
    .map((segment) => (/^[a-z-]+$/i.test(segment) ? segment : '*'))
    .join(':');
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** A stream kind as the stream core names it (a channel's name, or `combined`), bounded. */
export function streamKind(kind: string): StreamKind | 'other' {
  return (STREAM_KINDS as readonly string[]).includes(kind) ? (kind as StreamKind) : 'other';
}

/** Seconds since `startedAt` (a `performance.now()`). */
export const secondsSince = (startedAt: number) => (performance.now() - startedAt) / 1000;

/**
 * This process's metrics: one prom-client registry per process, injected where something is
 * measured. Features call these small typed methods and never see prom-client; label values
 * are bounded by their types (no user, room or token ever becomes a label). What runs per
 * event and per stream costs one counter increment on a pre-bound child.
 */
export class Metrics {
  readonly registry = new Registry();
  private instanceId = 'unknown';

  private readonly httpDuration = new Histogram({
    name: METRIC_NAMES.httpDuration,
    help: 'HTTP request durations (streams excluded), by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly authFailures = new Counter({
    name: METRIC_NAMES.authFailures,
    help: 'Refused credentials, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly rateLimitRefusals = new Counter({
    name: METRIC_NAMES.rateLimitRefusals,
    help: 'Requests and socket events refused for going too fast or holding too many connections, by route',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  private readonly socketEventDuration = new Histogram({
    name: METRIC_NAMES.socketEventDuration,
    help: 'Time to handle one socket.io event, by event and outcome',
    labelNames: ['event', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  /** Pre-bound children of socketEventDuration: observed once per chat event, thousands a second. */
  private readonly socketEvents = new Map<string, Histogram.Internal<'event' | 'outcome'>>();
  private readonly connectionsOpen = new Gauge({
    name: METRIC_NAMES.connectionsOpen,
    help: 'Open client connections on this instance, by kind (SSE streams and chat sockets)',
    labelNames: ['kind', 'instance_id'] as const,
    registers: [this.registry],
  });
  private readonly redisRoundTrip = new Histogram({
    name: METRIC_NAMES.redisRoundTrip,
    help: 'Round trip of Redis commands, by command',
    labelNames: ['command'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2],
    registers: [this.registry],
  });
  private readonly redisReconnects = new Counter({
    name: METRIC_NAMES.redisReconnects,
    help: 'Redis connections that came back after a loss, by connection',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });
  private readonly dbQueryDuration = new Histogram({
    name: METRIC_NAMES.dbQueryDuration,
    help: 'Database query durations, by statement kind and outcome',
    labelNames: ['statement', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly tickFanOut = new Histogram({
    name: METRIC_NAMES.tickFanOut,
    help: 'Time to hand one dashboard tick to every open stream of this instance',
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
    registers: [this.registry],
  });
  private readonly eventsPublished = new Counter({
    name: METRIC_NAMES.eventsPublished,
    help: 'Messages published on the event bus by this instance, by channel',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  private readonly busMessagesReceived = new Counter({
    name: METRIC_NAMES.busMessagesReceived,
    help: 'Messages this instance received from the event bus, by channel',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  private readonly eventsDelivered = new Counter({
    name: METRIC_NAMES.eventsDelivered,
    help: 'Events written to clients (heartbeats excluded), by stream',
    labelNames: ['channel'] as const,
    registers: [this.registry],
    collect: () => this.addWrites(),
  });
  private readonly bytesWritten = new Counter({
    name: METRIC_NAMES.bytesWritten,
    help: 'Bytes written to SSE clients, by stream',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: () => this.addWrites(),
  });
  private readonly slowReadersDropped = new Counter({
    name: METRIC_NAMES.slowReadersDropped,
    help: 'SSE clients dropped because they did not read, by stream',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly resumes = new Counter({
    name: METRIC_NAMES.resumes,
    help: 'Streams opened with a Last-Event-ID, by stream and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly instanceInfo = new Gauge({
    name: METRIC_NAMES.instanceInfo,
    help: 'Always 1; its labels name this instance and its version',
    labelNames: ['instance_id', 'version'] as const,
    registers: [this.registry],
  });

  /**
   * What streams wrote since the last scrape, by kind: plain sums, added to the two counters
   * when they are read (`collect`). Counting each write into prom-client (a labelled child's
   * `inc`, hashing its labels) was 2.8 % of the API's busy time at saturation (10,000 streams,
   * `--cpu-prof`), the largest share of our own code on that path.
   */
  private readonly writes = new Map<string, { events: number; bytes: number }>();
  private readonly delivered = new Map<string, { events: Counter.Internal; bytes: Counter.Internal }>();
  private readonly published = new Map<string, Counter.Internal>();
  private readonly received = new Map<string, Counter.Internal>();

  constructor(readonly version = 'unknown') {
    // Event-loop delay, heap, GC, CPU, file descriptors: prom-client's defaults.
    collectDefaultMetrics({ register: this.registry });
    // Every labelled series the dashboard graphs exists from the start, at 0.
    for (const reason of AUTH_FAILURE_REASONS) this.authFailures.labels(reason).inc(0);
    for (const kind of STREAM_KINDS) {
      this.delivered.set(kind, {
        events: this.eventsDelivered.labels(kind),
        bytes: this.bytesWritten.labels(kind),
      });
      this.bytesWritten.labels(kind).inc(0);
      this.eventsDelivered.labels(kind).inc(0);
      this.slowReadersDropped.labels(kind).inc(0);
      for (const outcome of RESUME_OUTCOMES) this.resumes.labels(kind, outcome).inc(0);
    }
    this.identify(this.instanceId);
  }

  /** Names this instance (the id the health check and the operations page show). */
  identify(instanceId: string): void {
    this.instanceId = instanceId;
    this.connectionsOpen.reset();
    for (const kind of CONNECTION_KINDS) this.connectionsOpen.labels(kind, instanceId).set(0);
    this.instanceInfo.reset();
    this.instanceInfo.labels(instanceId, this.version).set(1);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const m = HTTP_METHODS.has(method) ? method : 'OTHER';
    this.httpDuration.labels(m, route, String(status)).observe(seconds);
  }

  authFailure(reason: AuthFailureReason): void {
    this.authFailures.labels(reason).inc();
  }

  /** `route`: an HTTP route template (`POST /api/notifications`) or `ws <event>`. */
  rateLimited(route: string): void {
    this.rateLimitRefusals.labels(route).inc();
  }

  socketEvent(event: string, seconds: number, ok: boolean): void {
    const key = ok ? event : `${event}\u0000error`;
    let child = this.socketEvents.get(key);
    if (!child) {
      child = this.socketEventDuration.labels(event, ok ? 'ok' : 'error');
      // Events are the gateway's known names (unknown ones are refused before they get here).
      if (this.socketEvents.size < 100) this.socketEvents.set(key, child);
    }
    child.observe(seconds);
  }

  connectionOpened(kind: ConnectionKind): void {
    this.connectionsOpen.labels(kind, this.instanceId).inc();
  }

  connectionClosed(kind: ConnectionKind): void {
    this.connectionsOpen.labels(kind, this.instanceId).dec();
  }

  redisCommand(command: string, seconds: number): void {
    this.redisRoundTrip.labels(command).observe(seconds);
  }

  redisReconnected(connection: string): void {
    this.redisReconnects.labels(connection).inc();
  }

  /** `sql`: the statement text; only its first keyword becomes a label. */
  dbQuery(sql: string, seconds: number, ok: boolean): void {
    const keyword = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'other';
    const statement = ['select', 'insert', 'update', 'delete', 'with'].includes(keyword) ? keyword : 'other';
    this.dbQueryDuration.labels(statement, ok ? 'ok' : 'error').observe(seconds);
  }

  tickFannedOut(seconds: number): void {
    this.tickFanOut.observe(seconds);
  }

  busPublished(channel: string): void {
    this.child(this.published, this.eventsPublished, channel).inc();
  }

  busReceived(channel: string): void {
    this.child(this.received, this.busMessagesReceived, channel).inc();
  }

  /** One event (or heartbeat: `event` false) of `bytes` written to a stream of `kind`. */
  written(kind: string, bytes: number, event = true): void {
    let sums = this.writes.get(kind);
    if (!sums) {
      // Kinds outside the known ones add up under `other` (the label stays bounded).
      const k = streamKind(kind);
      sums = this.writes.get(k);
      if (!sums) this.writes.set(k, (sums = { events: 0, bytes: 0 }));
    }
    if (event) sums.events++;
    sums.bytes += bytes;
  }

  /** The writes summed since the last read, into the counters (labelled by stream kind). */
  private addWrites(): void {
    for (const [kind, sums] of this.writes) {
      if (sums.events === 0 && sums.bytes === 0) continue;
      let counters = this.delivered.get(kind);
      if (!counters) {
        counters = { events: this.eventsDelivered.labels(kind), bytes: this.bytesWritten.labels(kind) };
        this.delivered.set(kind, counters);
      }
      counters.events.inc(sums.events);
      counters.bytes.inc(sums.bytes);
      sums.events = 0;
      sums.bytes = 0;
    }
  }

  slowReaderDropped(kind: string): void {
    this.slowReadersDropped.labels(streamKind(kind)).inc();
  }

  resumed(kind: string, outcome: ResumeOutcome): void {
    this.resumes.labels(streamKind(kind), outcome).inc();
  }

  /** A combined stream (several channels on one connection) opened or closed. */
  streamOpened(kind: string): void {
    if (kind === 'combined') this.connectionOpened('combined');
  }

  streamClosed(kind: string): void {
    if (kind === 'combined') this.connectionClosed('combined');
  }

  /** One event of `channel` handed to every stream listening here; the dashboard's are the ticks. */
  fannedOut(channel: string, seconds: number): void {
    if (channel === 'dashboard') this.tickFanOut.observe(seconds);
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private child(cache: Map<string, Counter.Internal>, counter: Counter<'channel'>, channel: string) {
    let child = cache.get(channel);
    if (!child) {
      child = counter.labels(channelTemplate(channel));
      cache.set(channel, child);
      // Raw names may carry ids: keep the cache bounded (the labels already are).
      if (cache.size > 1000) cache.clear();
    }
    return child;
  }
}
