import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

import { z } from 'zod';

import {
  NOTIFICATION_STREAMS_PER_USER,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PASSWORD_RULE,
  USERNAME_PATTERN,
  USERNAME_RULE,
  passwordProblem,
} from '@realtime/contracts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], {
    message: 'must be true or false',
  })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_S: int(10, 30 * 24 * 3600).default(900),
  DASHBOARD_TICK_MS: int(100, 3_600_000).default(5000),
  HEARTBEAT_MS: int(100, 3_600_000).default(30000),
  DASHBOARD_RETENTION_MIN: int(1, 24 * 60).default(15),
  HISTORY_RETENTION_DAYS: int(1, 3650).default(30),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<file> or postgres://…')
    .default('sqlite:data/realtime.db'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'must be redis://… or rediss://…')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]{0,64}$/, 'must be up to 64 letters, digits, _ : . or -')
    .default('rt:'),
  PRESENCE_TTL_MS: int(300, 600_000).default(6000),
  DEMO: bool.optional(),
  SIMULATOR: bool.optional(),
  CURRENCY: z.enum(['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD']).default('USD'),
  CORS_ORIGINS: z.string().default('http://localhost:4200'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb')
    .default('100kb'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOGIN_RATE_LIMIT: int(1, 1_000_000).default(20),
  EVENT_LOOP_DELAY_MS_THRESHOLD: int(1, 60_000).default(200),
  HEAP_USED_MB_THRESHOLD: int(16, 65_536).default(1024),
  CHAT_RATE_PER_S: int(1, 100_000).default(10),
  CHAT_RATE_BURST: int(1, 100_000).default(20),
  NOTIFY_RATE_PER_S: int(1, 100_000).default(5),
  NOTIFY_RATE_BURST: int(1, 100_000).default(30),
  MAX_CONNECTIONS_PER_USER: int(1, 10_000).default(20),
  CHAT_JOIN_RATE_PER_S: int(1, 100_000).default(5),
  CHAT_JOIN_RATE_BURST: int(1, 100_000).default(30),
  CHAT_TYPING_RATE_PER_S: int(1, 100_000).default(5),
  CHAT_TYPING_RATE_BURST: int(1, 100_000).default(20),
  CHAT_TYPING_RELAY_MS: int(0, 60_000).default(300),
  CHAT_CREATE_RATE_PER_MIN: int(1, 1_000_000).default(10),
  CHAT_CREATE_RATE_BURST: int(1, 1_000_000).default(10),
  CHAT_ROOMS_CREATED_MAX: int(1, 1_000_000).default(50),
  CHAT_ROOMS_JOINED_MAX: int(1, 1_000_000).default(200),
  CHAT_JOIN_CREATES_ROOMS: bool.default(true),
  CHAT_UNREAD_FLUSH_MS: int(50, 60_000).default(1000),
  NOTIFICATION_STREAMS_PER_USER: int(1, 1_000_000).default(NOTIFICATION_STREAMS_PER_USER),
  API_DOCS: bool.optional(),
  REFRESH_RATE_PER_S: int(1, 100_000).default(1),
  REFRESH_RATE_BURST: int(1, 100_000).default(10),
  ORDER_RATE_PER_S: int(1, 100_000).default(10),
  ORDER_RATE_BURST: int(1, 100_000).default(50),
  MAX_CONNECTIONS_PER_ADDRESS: int(1, 1_000_000).default(256),
  HEADERS_TIMEOUT_MS: int(1000, 600_000).default(10_000),
  REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(30_000),
  MONITORING_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  TRUST_PROXY: z
    .string()
    .regex(
      /^\s*[\w.:/-]+(\s*,\s*[\w.:/-]+)*\s*$/,
      'must be a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal',
    )
    .default('loopback'),
  DASHBOARD_DIR: z.string().min(1).optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_USERNAME: z.string().regex(USERNAME_PATTERN, `must be ${USERNAME_RULE}`).optional(),
  ADMIN_PASSWORD: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `must be ${PASSWORD_RULE}`)
    .max(PASSWORD_MAX_LENGTH, `must be ${PASSWORD_RULE}`)
    .optional(),
  SESSION_TTL_DAYS: z.coerce.number().positive().max(365).default(7),
  METRICS_PORT: int(1, 65535).optional(),
  INSTANCE_STATUS_MS: int(100, 600_000).default(2000),
  ACCOUNT_POLL_MS: int(100, 3_600_000).default(2000),
  APP_VERSION: z
    .string()
    .regex(/^[\w.+-]{1,64}$/, 'must be up to 64 letters, digits, . + _ or -')
    .optional(),
});

/** What Express's `trust proxy` takes: a named range, an address, or an address/prefix. */
function isProxySpec(spec: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(spec)) return true;
  const [address, prefix, ...rest] = spec.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** Never echoed in an error: their values are secrets. */
const SECRET_VARIABLES = new Set(['JWT_SECRET', 'ADMIN_PASSWORD', 'MONITORING_TOKEN', 'METRICS_TOKEN']);
/** Echoed with the password (and any query string) taken out. */
const URL_VARIABLES = new Set(['DATABASE_URL', 'REDIS_URL']);

/** How a variable's value may appear in an error line: secrets not at all, URLs without a password. */
function shown(name: string, value: string | undefined): string {
  if (SECRET_VARIABLES.has(name)) return name;
  if (URL_VARIABLES.has(name) && value) return `${name}=${JSON.stringify(withoutPassword(value))}`;
  return `${name}=${JSON.stringify(value ?? '')}`;
}

/**
 * `postgres://user:secret@host/db?password=x` → `postgres://***@host/db`: the whole user-info part
 * and the query string go, whatever the shape of the rest.
 */
export function withoutPassword(url: string): string {
  return url.replace(/^([^/]*\/\/)?[^/]*@/, '$1***@').replace(/\?.*$/, '');
}

/**
 * A production signing key must be hard to guess: at least 32 characters (the schema), at least
 * 10 different ones, and not one short string repeated (`abcabc…`, `xxxx…`).
 */
function weakSecretReason(secret: string): string | undefined {
  if (new Set(secret).size < 10) return 'must use at least 10 different characters';
  if (/^(.+)\1+$/s.test(secret)) return 'must not repeat a shorter string';
  return undefined;
}

/**
 * Every secret in `env` (JWT_SECRET, ADMIN_PASSWORD, passwords in URLs) replaced by `***` in
 * `text`: for error messages that could quote them (a driver's connection error, say).
 */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const secrets: string[] = [];
  for (const name of SECRET_VARIABLES) if (env[name]) secrets.push(env[name] as string);
  for (const name of URL_VARIABLES) {
    const m = /^[^/]*\/\/[^/:@]*:([^/]*)@/.exec(env[name] ?? '');
    if (m?.[1]) secrets.push(m[1], decodeURIComponentSafe(m[1]));
  }
  let out = text;
  for (const s of secrets.filter((x) => x.length >= 3)) out = out.split(s).join('***');
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  jwtSecret: string;
  jwtSecretGenerated: boolean;
  /** Development: the file the generated key is kept in between restarts. */
  jwtSecretFile?: string;
  jwtTtlS: number;
  dashboardTickMs: number;
  heartbeatMs: number;
  dashboardRetentionMin: number;
  /** Days of per-minute dashboard history kept in the database; older rows are pruned. */
  historyRetentionDays: number;
  databaseUrl: string;
  redisUrl: string | undefined;
  /** Put before every Redis key and channel of this deployment, so several can share one Redis. */
  redisPrefix: string;
  /** How long an instance's presence entry in Redis outlives its last refresh (refreshed every third). */
  presenceTtlMs: number;
  demo: boolean;
  /** Whether the demo order simulator runs (default: same as `demo`); tests turn it off. */
  simulator: boolean;
  currency: string;
  corsOrigins: string[];
  bodyLimit: string;
  logLevel: string;
  loginRateLimit: number;
  thresholds: { eventLoopDelayMs: number; heapUsedMb: number };
  /** Per-user token bucket for chat messages: refill per second and bucket size. */
  chatRateLimit: { perSecond: number; burst: number };
  /** Notifications a user may publish (POST /api/notifications): a token bucket per user. */
  notifyRateLimit: { perSecond: number; burst: number };
  /** Open dashboard streams, and open chat sockets, per user on one instance. */
  maxConnectionsPerUser: number;
  /** The chat's other bounds (README: configuration). */
  chat: ChatLimitsConfig;
  /** Open notification streams one user may hold; the next gets a 429 (benchmarks raise it). */
  notificationStreamsPerUser: number;
  /**
   * The reverse proxies whose X-Forwarded-For is believed (Express `trust proxy`): their peers'
   * address becomes the client's; nobody else can claim another address.
   */
  trustProxy: string[];
  /** Per-principal token buckets (cluster-wide with Redis) of POST /api/dashboard/refresh and POST /api/orders. */
  refreshRateLimit: { perSecond: number; burst: number };
  orderRateLimit: { perSecond: number; burst: number };
  /**
   * Open TCP connections one client address may hold (the next is answered 429 and closed);
   * trusted proxies (TRUST_PROXY) are exempt: they carry many clients and cap per address themselves.
   */
  maxConnectionsPerAddress: number;
  /** A request whose headers are not complete by then is answered 408 and closed. */
  headersTimeoutMs: number;
  /** A request whose body is not complete by then is answered 408 and closed (streams are not cut). */
  requestTimeoutMs: number;
  /** `Authorization: Bearer <MONITORING_TOKEN>` reads the details of GET /api/health. */
  monitoringToken: string | undefined;
  /** Serve the OpenAPI document and UI at /api/docs (default: outside production only). */
  apiDocs: boolean;
  /** The built dashboard served at `/` when it holds an index.html (default: beside the built API). */
  dashboardDir: string | undefined;
  /** ADMIN_USERNAME / ADMIN_PASSWORD: the admin created on a start where no admin exists yet. */
  admin?: { username: string; password: string };
  /** SESSION_TTL_DAYS in ms: how long a browser session lives without a renewal (sliding). */
  sessionTtlMs: number;
  /** Bearer token a Prometheus scraper sends to `GET /api/metrics`; unset: admins only. */
  metricsToken: string | undefined;
  /** Also serve the metrics without a token on this port (`/metrics`), for a private network. */
  metricsPort: number | undefined;
  /** How often each instance reports its status to the others (the operations page). */
  instanceStatusMs: number;
  /** How often each instance looks for account changes in the database (the CLI's, or lost on the bus). */
  accountPollMs: number;
  /** Shown on the operations page and in `rt_instance_info`. */
  version: string;
}

export interface ChatLimitsConfig {
  /** Token buckets per user: `join` and `leave` each, `typing`, and room creation (+ invites). */
  joinRate: { perSecond: number; burst: number };
  typingRate: { perSecond: number; burst: number };
  createRate: { perSecond: number; burst: number };
  /** At most one `typing` relay per user and room within this many ms (the last state wins). */
  typingRelayMs: number;
  /** Rooms one user may own (created, not deleted) and be a member of. */
  roomsCreatedMax: number;
  roomsJoinedMax: number;
  /** `join` of an unknown room id creates it as a public room (counted as a creation). */
  joinCreatesRooms: boolean;
  /** How often `chat-unread` increments go out on the notification streams. */
  unreadFlushMs: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {}

/** Reads the environment once; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    throw new ConfigError(`Invalid configuration: ${shown(name, raw[name])} ${issue.message}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('Invalid configuration: JWT_SECRET is required when NODE_ENV=production');
  }
  const weak = e.NODE_ENV === 'production' && e.JWT_SECRET ? weakSecretReason(e.JWT_SECRET) : undefined;
  if (weak) {
    throw new ConfigError(
      `Invalid configuration: JWT_SECRET ${weak} when NODE_ENV=production (e.g. openssl rand -hex 32)`,
    );
  }
  const trustProxy = e.TRUST_PROXY.split(',').map((s) => s.trim());
  const badProxy = trustProxy.find((p) => !isProxySpec(p));
  if (badProxy !== undefined) {
    throw new ConfigError(
      `Invalid configuration: TRUST_PROXY=${JSON.stringify(e.TRUST_PROXY)} has ${JSON.stringify(badProxy)}, ` +
        'not an address, a CIDR range, loopback, linklocal or uniquelocal',
    );
  }
  if ((e.ADMIN_USERNAME === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      `Invalid configuration: ${e.ADMIN_USERNAME === undefined ? 'ADMIN_USERNAME' : 'ADMIN_PASSWORD'} must be set together with ${e.ADMIN_USERNAME === undefined ? 'ADMIN_PASSWORD' : 'ADMIN_USERNAME'}`,
    );
  }
  if (e.ADMIN_USERNAME && e.ADMIN_PASSWORD && passwordProblem(e.ADMIN_PASSWORD, e.ADMIN_USERNAME)) {
    throw new ConfigError(`Invalid configuration: ADMIN_PASSWORD must be ${PASSWORD_RULE}`);
  }
  const demo = e.DEMO ?? e.NODE_ENV !== 'production';
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    jwtSecret: e.JWT_SECRET ?? randomBytes(32).toString('hex'),
    jwtSecretGenerated: !e.JWT_SECRET,
    jwtTtlS: e.JWT_TTL_S,
    dashboardTickMs: e.DASHBOARD_TICK_MS,
    heartbeatMs: e.HEARTBEAT_MS,
    dashboardRetentionMin: e.DASHBOARD_RETENTION_MIN,
    historyRetentionDays: e.HISTORY_RETENTION_DAYS,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    presenceTtlMs: e.PRESENCE_TTL_MS,
    demo,
    simulator: e.SIMULATOR ?? demo,
    currency: e.CURRENCY,
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    bodyLimit: e.BODY_LIMIT,
    logLevel: e.LOG_LEVEL,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    thresholds: {
      eventLoopDelayMs: e.EVENT_LOOP_DELAY_MS_THRESHOLD,
      heapUsedMb: e.HEAP_USED_MB_THRESHOLD,
    },
    chatRateLimit: { perSecond: e.CHAT_RATE_PER_S, burst: e.CHAT_RATE_BURST },
    notifyRateLimit: { perSecond: e.NOTIFY_RATE_PER_S, burst: e.NOTIFY_RATE_BURST },
    maxConnectionsPerUser: e.MAX_CONNECTIONS_PER_USER,
    chat: {
      joinRate: { perSecond: e.CHAT_JOIN_RATE_PER_S, burst: e.CHAT_JOIN_RATE_BURST },
      typingRate: { perSecond: e.CHAT_TYPING_RATE_PER_S, burst: e.CHAT_TYPING_RATE_BURST },
      createRate: { perSecond: e.CHAT_CREATE_RATE_PER_MIN / 60, burst: e.CHAT_CREATE_RATE_BURST },
      typingRelayMs: e.CHAT_TYPING_RELAY_MS,
      roomsCreatedMax: e.CHAT_ROOMS_CREATED_MAX,
      roomsJoinedMax: e.CHAT_ROOMS_JOINED_MAX,
      joinCreatesRooms: e.CHAT_JOIN_CREATES_ROOMS,
      unreadFlushMs: e.CHAT_UNREAD_FLUSH_MS,
    },
    notificationStreamsPerUser: e.NOTIFICATION_STREAMS_PER_USER,
    apiDocs: e.API_DOCS ?? e.NODE_ENV !== 'production',
    trustProxy,
    refreshRateLimit: { perSecond: e.REFRESH_RATE_PER_S, burst: e.REFRESH_RATE_BURST },
    orderRateLimit: { perSecond: e.ORDER_RATE_PER_S, burst: e.ORDER_RATE_BURST },
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    monitoringToken: e.MONITORING_TOKEN,
    dashboardDir: e.DASHBOARD_DIR,
    metricsToken: e.METRICS_TOKEN,
    admin:
      e.ADMIN_USERNAME && e.ADMIN_PASSWORD
        ? { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD }
        : undefined,
    sessionTtlMs: Math.round(e.SESSION_TTL_DAYS * 24 * 3600 * 1000),
    metricsPort: e.METRICS_PORT,
    instanceStatusMs: e.INSTANCE_STATUS_MS,
    accountPollMs: e.ACCOUNT_POLL_MS,
    // npm sets npm_package_version for its scripts (npm start, npm run start:prod).
    version: e.APP_VERSION ?? env['npm_package_version'] ?? 'dev',
  };
}
