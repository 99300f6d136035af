import ipaddr from 'ipaddr.js';
import { z } from 'zod';

// The one place that reads the environment. Parsed once at start, validated, frozen.

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0000000000';
const DEV_SIGNING_KEY = 'dev-only-signing-key-change-me-000000000';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const int = (def: number, min: number, max: number): z.ZodDefault<z.ZodCoercedNumber> =>
  z.coerce.number().int().min(min).max(max).default(def);

/** Comma-separated CIDRs, each one valid (a bad one would otherwise fail every outbound request). */
const cidrList = z
  .string()
  .refine((v) => v.split(',').every((c) => ipaddr.isValidCIDR(c)), 'expected comma-separated CIDRs such as 10.0.0.0/8');

/** Every variable, its default, and a one-line description (mirrored in .env.example). */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  /** Default: http://127.0.0.1:<PORT>. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DOCS_URL: z.url().optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgresql://postgres@127.0.0.1:5432/tikops'),
  // Chosen by measurement: npm run bench create (README, "Performance").
  DATABASE_POOL_SIZE: int(20, 1, 500),
  /**
   * One Redis (`redis://`, `rediss://`), a Redis Cluster's seed nodes (`redis+cluster://h1:p,h2:p`),
   * or the Sentinels of a replicated Redis and its master's name (`redis+sentinel://h1:p,h2:p/name`).
   */
  REDIS_URL: z
    .string()
    .superRefine((v, ctx) => {
      const problem = redisUrlProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('redis://127.0.0.1:6379'),
  /** A Redis Cluster's seed nodes (`host:port,host:port`); credentials and TLS come from REDIS_URL. */
  REDIS_CLUSTER_NODES: z
    .string()
    .refine((v) => clusterNodes(v) !== null, 'expected comma-separated host:port pairs')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('tikops:'),
  JWT_SECRET: z.string().min(32).optional(),
  JWT_PUBLIC_KEY: z.string().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  JWT_MAX_LIFETIME_SECONDS: int(86_400, 60, 31_536_000),
  JWT_TENANT_FROM_SUB: bool.default(false),
  AUTH_CACHE_SECONDS: int(30, 0, 300),
  AUTH_CACHE_ENTRIES: int(10_000, 1, 1_000_000),
  API_KEY_SECRET: z.string().min(32).optional(),
  SIGNING_KEY: z.string().min(32).default(DEV_SIGNING_KEY),
  BODY_LIMIT_BYTES: int(131_072, 1024, 10_485_760),
  WRAPPER_LIMIT_BYTES: int(60_000, 1024, 64_000),
  WRAPPER_LIMIT_BYTES_V6: int(4_000, 1024, 64_000),
  TLS_CA_CERT: z.string().includes('-----BEGIN CERTIFICATE-----').optional(),
  ALLOW_INSECURE_ROUTER_TRANSPORT: bool.default(false),
  ROUTER_NTP_SERVERS: z
    .string()
    .regex(/^[A-Za-z0-9.:-]{1,253}(,[A-Za-z0-9.:-]{1,253}){0,3}$/, 'expected up to 4 comma-separated host names or addresses')
    .default('pool.ntp.org'),
  JOB_LEASE_SECONDS: int(120, 5, 86_400),
  JOB_TIMEOUT_SECONDS: int(900, 10, 604_800),
  JOB_OUTPUT_MAX_BYTES: int(65_536, 0, 1_048_576),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 120_000),
  WORKERS: z
    .string()
    .regex(/^(all|[a-z]+(,[a-z]+)*)$/, 'expected "all" or a comma-separated list of queue names')
    .default('all'),
  RECONCILE_INTERVAL_MS: int(10_000, 100, 3_600_000),
  TIMEOUT_SWEEP_INTERVAL_MS: int(5_000, 100, 3_600_000),
  ROLLOUT_SWEEP_INTERVAL_MS: int(5_000, 100, 3_600_000),
  EVENTS_HEARTBEAT_MS: int(25_000, 100, 300_000),
  EXPRESS_TIMEOUT_MS: int(3_000, 100, 30_000),
  EXPRESS_CONFIRM_SECONDS: int(10, 1, 120),
  TRUST_PROXY: bool.default(false),
  METRICS_TOKEN: z.string().min(16).optional(),
  WORKER_METRICS_PORT: int(9464, 0, 65535),
  OUTBOUND_ALLOWLIST: cidrList.optional(),
  MANAGEMENT_ALLOWLIST: cidrList.optional(),
  WEBHOOK_SECRET_GRACE_SECONDS: int(86_400, 0, 604_800),
  WEBHOOK_BACKOFF_BASE_MS: int(10_000, 10, 3_600_000),
  WEBHOOK_RETRY_WINDOW_MS: int(86_400_000, 0, 604_800_000),
  BACKUP_MAX_BYTES: int(8_388_608, 65_536, 67_108_864),
  BACKUP_RETENTION_DAYS: int(90, 1, 36_500),
  BACKUP_KEYS: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]{43}=?(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]{43}=?)*$/, 'expected comma-separated id:base64 pairs of 32-byte keys')
    .optional(),
  HEARTBEAT_INTERVAL_SECONDS: int(30, 5, 3_600),
  OFFLINE_AFTER_MISSED: int(10, 2, 1_000),
  OFFLINE_SWEEP_INTERVAL_MS: int(15_000, 100, 3_600_000),
  SAMPLE_DRAIN_INTERVAL_MS: int(1_000, 50, 60_000),
  SAMPLE_RAW_RETENTION_HOURS: int(48, 1, 8_760),
  SAMPLE_ROLLUP_RETENTION_DAYS: int(90, 1, 3_650),
  SAMPLE_INTERVAL_SECONDS: int(300, 0, 86_400),
  SAMPLE_STREAM_MAX: int(500_000, 10, 100_000_000),
  FAULT_RETENTION_DAYS: int(90, 1, 36_500),
  FLEET_PRUNE_INTERVAL_MS: int(60_000, 100, 86_400_000),
  SITE_DELETE_GRACE_HOURS: int(24, 0, 8_760),
  READOPTION_STALE_DAYS: int(7, 1, 3_650),
  UI_DIR: z.string().optional(),
  RATE_LIMIT_OPERATOR_PER_MINUTE: int(600, 0, 1_000_000),
  RATE_LIMIT_ADDRESS_PER_MINUTE: int(120, 0, 1_000_000),
  WEBHOOK_ORG_CONCURRENCY: int(32, 1, 1_000),
  WEBHOOK_DESTINATION_CONCURRENCY: int(16, 1, 1_000),
  EXPRESS_ORG_CONCURRENCY: int(8, 1, 1_000),
  EXPRESS_DESTINATION_CONCURRENCY: int(2, 1, 1_000),
  OUTBOUND_CONNECT_TIMEOUT_MS: int(3_000, 100, 30_000),
  CIRCUIT_FAILURES: int(5, 1, 1_000),
  CIRCUIT_OPEN_MS: int(30_000, 100, 3_600_000),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'test' | 'production';
  logLevel: string;
  port: number;
  host: string;
  publicUrl: string;
  docsUrl: string;
  databaseUrl: string;
  databasePoolSize: number;
  /**
   * Verified operator credentials kept in memory (src/http/credential-cache.ts): the longest a
   * verification is reused (0: never) and how many are kept.
   */
  authCache: { seconds: number; entries: number };
  /** REDIS_URL as given (one Redis, the cluster URL or the Sentinel URL); messages print it redacted. */
  redisUrl: string;
  /** Redis Cluster seed nodes and credentials (REDIS_URL redis+cluster://… or REDIS_CLUSTER_NODES); null: no cluster. */
  redisCluster: RedisCluster | null;
  /** Sentinels, master name and credentials (REDIS_URL redis+sentinel://…); null: no Sentinel. */
  redisSentinel: RedisSentinel | null;
  redisPrefix: string;
  /**
   * Operator JWTs: HS256 secret, RS256/ES256 public key, remote JWK set; required iss/aud; the
   * longest accepted lifetime (exp is required); whether `sub` names the tenant when `org` is absent.
   */
  jwt: {
    secret?: string;
    publicKey?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    maxLifetimeSeconds: number;
    tenantFromSub: boolean;
  };
  /** HMAC key of stored API key hashes (null: derived from SIGNING_KEY, development only). */
  apiKeySecret: string | null;
  signingKey: string;
  bodyLimitBytes: number;
  /** Largest wrapper sent to a v7 router, and to a v6 one (whose `output=user` limit is unverified, docs/onboarding.md). */
  wrapperLimitBytes: number;
  v6WrapperLimitBytes: number;
  /** How routers reach tikops: PUBLIC_URL is https (routers verify it), the CA they verify with, their NTP servers. */
  routerTransport: { verify: boolean; caPem: string | null; ntpServers: string[] };
  jobLeaseSeconds: number;
  jobTimeoutSeconds: number;
  /** Most bytes of a job's output stored (and asked of the router); 0 turns output capture off. */
  jobOutputMaxBytes: number;
  shutdownTimeoutMs: number;
  trustProxy: boolean;
  /** Bearer token required on GET /metrics, if set. */
  metricsToken?: string;
  /** Port of a worker process's /metrics; 0 turns it off. */
  workerMetricsPort: number;
  /** CIDRs outbound requests may reach even if private or loopback (operator opt-in). */
  outboundAllowlist: string[];
  /** CIDRs management endpoints (express execute) may reach besides public addresses: private, CGNAT, ULA networks. */
  managementAllowlist: string[];
  /** notify_url webhooks: how long a rotated-out org secret keeps signing, and the retry schedule. */
  webhook: { secretGraceSeconds: number; backoffBaseMs: number; retryWindowMs: number };
  /** Queue names this worker process consumes, or 'all'. */
  workers: 'all' | string[];
  reconcileIntervalMs: number;
  /** How often rollouts whose timer is due (launch_at, the next batch) are stepped, as a backstop to their delayed queue jobs. */
  rolloutSweepIntervalMs: number;
  /** GET /events/stream: how often an open stream gets a keep-alive comment and its API key is checked again. */
  eventsHeartbeatMs: number;
  timeoutSweepIntervalMs: number;
  /** Per-try timeout of an express-execute call to a router's REST API (a late express is worthless). */
  expressTimeoutMs: number;
  /** How long after an express trigger a poll from the site must arrive to count as express_succeeded. */
  expressConfirmSeconds: number;
  /**
   * Pre-job configuration backups: largest accepted export, how long stored ones are kept, and the
   * keys they are encrypted under at rest (the first writes; every one reads).
   */
  backup: { maxBytes: number; retentionDays: number; keys: readonly BackupKey[] | null };
  /** Fleet health (src/fleet): heartbeat cadence, the offline rule, schedules, retention, deletion grace. */
  fleet: {
    heartbeatIntervalSeconds: number;
    offlineAfterMissed: number;
    sweepIntervalMs: number;
    drainIntervalMs: number;
    /** Least time between two heartbeat samples of a site kept for PostgreSQL (0: every poll); changes are kept at once. */
    sampleIntervalMs: number;
    /** Un-drained samples beyond which the poll defers (coalesces) samples instead of appending them. */
    sampleStreamMax: number;
    pruneIntervalMs: number;
    /** Raw samples are rolled up into hourly rows when they are this old, and the rows kept this long. */
    rawSampleRetentionHours: number;
    rollupRetentionDays: number;
    faultRetentionDays: number;
    deleteGraceHours: number;
    /** Days without a heartbeat after which a site may be re-adopted without its token or an approval. */
    readoptionStaleDays: number;
  };
  /** The built dashboard served at /ui; undefined: dist/ui of this install (src/ui/static.ts). */
  uiDir?: string;
  /** Requests per minute per operator credential, and per source address on the routes anyone can call (0 = off). */
  rateLimit: { operatorPerMinute: number; addressPerMinute: number };
  /**
   * Fair shares of outbound work (src/webhooks, src/express): concurrent deliveries per org and per
   * destination host, the connect timeout, and the circuit breaker: a destination is paused for
   * `circuitOpenMs` (doubling while it keeps failing) after `circuitFailures` failures in a row.
   */
  fairShare: {
    webhook: { orgConcurrency: number; destinationConcurrency: number };
    express: { orgConcurrency: number; destinationConcurrency: number };
    connectTimeoutMs: number;
    circuitFailures: number;
    circuitOpenMs: number;
  };
}

export interface RedisCluster {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
}

/** A Redis whose master the Sentinels name, and which they fail over to a replica (docs/redis.md). */
export interface RedisSentinel {
  /** Sentinels asked for the master's address (port 26379 unless given). */
  sentinels: { host: string; port: number }[];
  /** The master group name the Sentinels monitor (`sentinel monitor <name> …`). */
  name: string;
  /** Of the Redis servers (REDIS_URL's user and password). */
  username?: string;
  password?: string;
  /** Of the Sentinels themselves (`?sentinelUsername=…&sentinelPassword=…`). */
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** rediss+sentinel://: TLS to the Sentinels and to the Redis servers. */
  tls: boolean;
}

function isRedisUrl(v: string): boolean {
  return URL.canParse(v) && /^rediss?:$/.test(new URL(v).protocol);
}

/** `host:port,[v6]:port,…` (port defaults to `defaultPort`), or null if any entry is not one. */
function clusterNodes(list: string, defaultPort = 6379): RedisCluster['nodes'] | null {
  const nodes = list.split(',').map((entry) => {
    const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(entry.trim());
    const port = Number(m?.[2] ?? defaultPort);
    return m && port > 0 && port < 65536 ? { host: m[1]!.replace(/^\[|\]$/g, ''), port } : null;
  });
  return nodes.length > 0 && nodes.every((n) => n !== null) ? nodes : null;
}

const decoded = (s: string | undefined): string | undefined => (s ? decodeURIComponent(s) : undefined);

/**
 * `redis+sentinel://[user:pass@]h1:p,h2:p/<master>[?sentinelUsername=…&sentinelPassword=…]`
 * (rediss+sentinel: TLS): the setting, or what is wrong with it; null if not a Sentinel URL.
 */
function sentinelUrl(v: string): RedisSentinel | string | null {
  if (!/^rediss?\+sentinel:\/\//.test(v)) return null;
  const m = /^(rediss?)\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^@/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/.exec(v);
  if (!m) return 'expected redis+sentinel://[user:pass@]host1:26379,host2:26379/<master name>';
  if (m[4] === '') return 'redis+sentinel://: name at least one Sentinel (host:port)';
  const sentinels = clusterNodes(m[4]!, 26379);
  if (!sentinels) return `redis+sentinel://: "${m[4]!.split(',').find((entry) => !clusterNodes(entry))?.trim()}" is not a Sentinel host:port`;
  const name = decoded(m[5]) ?? '';
  if (!/^[^\s/]+$/.test(name)) return 'redis+sentinel://: name the master after the Sentinels, e.g. redis+sentinel://host1:26379,host2:26379/mymaster';
  const params = new URLSearchParams(m[6] ?? '');
  const unknown = [...params.keys()].find((k) => k !== 'sentinelUsername' && k !== 'sentinelPassword');
  if (unknown !== undefined) return `redis+sentinel://: unknown parameter "${unknown}" (expected sentinelUsername or sentinelPassword)`;
  return {
    sentinels,
    name,
    username: decoded(m[2]),
    password: decoded(m[3]),
    sentinelUsername: params.get('sentinelUsername') || undefined,
    sentinelPassword: params.get('sentinelPassword') || undefined,
    tls: m[1] === 'rediss',
  };
}

/** What is wrong with a REDIS_URL, or null if it names one Redis, a cluster or a Sentinel setup. */
function redisUrlProblem(v: string): string | null {
  const sentinel = sentinelUrl(v);
  if (typeof sentinel === 'string') return sentinel;
  if (sentinel || isRedisUrl(v) || clusterUrl(v)) return null;
  return 'expected redis://host:port, rediss://…, redis+cluster://host1:port,host2:port or redis+sentinel://host1:26379,host2:26379/<master name>';
}

/** The Sentinel REDIS_URL, or null (REDIS_URL already validated). */
function redisSentinel(e: z.infer<typeof envSchema>): RedisSentinel | null {
  const s = sentinelUrl(e.REDIS_URL);
  return typeof s === 'object' && s !== null ? Object.freeze(s) : null;
}

/** `redis+cluster://[user:pass@]h1:p,h2:p[/]` (rediss+cluster: TLS), or null. */
function clusterUrl(v: string): RedisCluster | null {
  const m = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^@/?#]+)\/?$/.exec(v);
  const nodes = m ? clusterNodes(m[4]!) : null;
  if (!m || !nodes) return null;
  return { nodes, username: decoded(m[2]), password: decoded(m[3]), tls: m[1] === 'rediss' };
}

/** The cluster REDIS_URL or REDIS_CLUSTER_NODES name (credentials and TLS of REDIS_URL), or null. */
function redisCluster(e: z.infer<typeof envSchema>): RedisCluster | null {
  const fromUrl = clusterUrl(e.REDIS_URL);
  if (!e.REDIS_CLUSTER_NODES) return fromUrl && Object.freeze(fromUrl);
  if (fromUrl) throw new ConfigError(['REDIS_CLUSTER_NODES: set either it or a redis+cluster:// REDIS_URL, not both']);
  if (sentinelUrl(e.REDIS_URL)) {
    throw new ConfigError(['REDIS_CLUSTER_NODES: names a Redis Cluster, but REDIS_URL names Sentinels (redis+sentinel://); set one of them']);
  }
  const u = new URL(e.REDIS_URL);
  return Object.freeze({
    nodes: clusterNodes(e.REDIS_CLUSTER_NODES)!,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:',
  });
}

/** localhost, 127.0.0.0/8, ::1 and IPv4-mapped loopback, as a URL's hostname spells them. */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) || h === '::1' || /^::ffff:(127\.|7f)/.test(h) || h === '0.0.0.0';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** A key backups are encrypted under at rest (src/backups/backup-crypto.ts). */
export interface BackupKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

/** BACKUP_KEYS as keys (ids unique); null when unset (development: derived from SIGNING_KEY). */
function backupKeys(e: z.infer<typeof envSchema>): readonly BackupKey[] | null {
  if (!e.BACKUP_KEYS) return null;
  const keys = e.BACKUP_KEYS.split(',').map((pair) => {
    const [id, b64] = pair.split(':') as [string, string];
    return { id, key: Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64') };
  });
  const problems = keys.filter((k) => k.key.length !== 32).map((k) => `BACKUP_KEYS: key "${k.id}" is not 32 bytes`);
  if (new Set(keys.map((k) => k.id)).size !== keys.length) problems.push('BACKUP_KEYS: key ids must be unique');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(keys);
}

/** Parse and validate the environment once; throws ConfigError listing every invalid variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const jwtSecret = e.JWT_SECRET ?? (e.JWT_PUBLIC_KEY || e.JWT_JWKS_URL ? undefined : DEV_JWT_SECRET);
  if (e.API_KEY_SECRET !== undefined && e.API_KEY_SECRET === e.SIGNING_KEY) {
    throw new ConfigError(['API_KEY_SECRET: must differ from SIGNING_KEY']);
  }
  // An outage is resolved by the sample of the router's first heartbeat after it (src/fleet): that
  // heartbeat must always be a sample, so a sample is due within the silence that opened the outage.
  if (e.SAMPLE_INTERVAL_SECONDS > e.HEARTBEAT_INTERVAL_SECONDS * e.OFFLINE_AFTER_MISSED) {
    throw new ConfigError([
      `SAMPLE_INTERVAL_SECONDS: must be at most HEARTBEAT_INTERVAL_SECONDS × OFFLINE_AFTER_MISSED (${e.HEARTBEAT_INTERVAL_SECONDS * e.OFFLINE_AFTER_MISSED}), so a site's first heartbeat after an outage is sampled and resolves it`,
    ]);
  }
  if (e.NODE_ENV === 'production') {
    const problems: string[] = [];
    if (jwtSecret === DEV_JWT_SECRET) problems.push('JWT_SECRET: set a secret (or JWT_PUBLIC_KEY) in production');
    if (e.SIGNING_KEY === DEV_SIGNING_KEY) problems.push('SIGNING_KEY: set a secret in production');
    // Its own key, so rotating SIGNING_KEY (which revokes device tokens) does not revoke every API key.
    if (!e.API_KEY_SECRET) problems.push('API_KEY_SECRET: set a secret in production');
    if (!e.BACKUP_KEYS) problems.push('BACKUP_KEYS: set a key for encrypting backups at rest in production');
    // Without it anyone who reaches the API could read fleet-wide figures (docs/security.md).
    if (!e.METRICS_TOKEN) problems.push('METRICS_TOKEN: set a token for /metrics in production');
    // Routers fetch their callback URLs from PUBLIC_URL: a loopback address reaches no router.
    if (!e.PUBLIC_URL) problems.push('PUBLIC_URL: set the URL routers reach this service at in production');
    else if (isLoopbackHost(new URL(e.PUBLIC_URL).hostname)) {
      problems.push(`PUBLIC_URL: ${e.PUBLIC_URL} is a loopback address; set the URL routers reach this service at in production`);
    }
    // Routers run what the poll answers with every policy: over http anyone on the path can answer.
    else if (!e.PUBLIC_URL.startsWith('https:') && !e.ALLOW_INSECURE_ROUTER_TRANSPORT) {
      problems.push('PUBLIC_URL: must be https in production (or set ALLOW_INSECURE_ROUTER_TRANSPORT=true)');
    }
    if (problems.length > 0) throw new ConfigError(problems);
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    docsUrl: (e.DOCS_URL ?? `${publicUrl}/docs`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    authCache: Object.freeze({ seconds: e.AUTH_CACHE_SECONDS, entries: e.AUTH_CACHE_ENTRIES }),
    redisUrl: e.REDIS_URL,
    redisCluster: redisCluster(e),
    redisSentinel: redisSentinel(e),
    redisPrefix: e.REDIS_PREFIX,
    jwt: Object.freeze({
      secret: jwtSecret,
      publicKey: e.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n'),
      jwksUrl: e.JWT_JWKS_URL,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      maxLifetimeSeconds: e.JWT_MAX_LIFETIME_SECONDS,
      tenantFromSub: e.JWT_TENANT_FROM_SUB,
    }),
    apiKeySecret: e.API_KEY_SECRET ?? null,
    signingKey: e.SIGNING_KEY,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    wrapperLimitBytes: e.WRAPPER_LIMIT_BYTES,
    v6WrapperLimitBytes: Math.min(e.WRAPPER_LIMIT_BYTES_V6, e.WRAPPER_LIMIT_BYTES),
    routerTransport: Object.freeze({
      verify: publicUrl.startsWith('https:'),
      caPem: e.TLS_CA_CERT?.replace(/\\n/g, '\n').trim() ?? null,
      ntpServers: e.ROUTER_NTP_SERVERS.split(','),
    }),
    jobLeaseSeconds: e.JOB_LEASE_SECONDS,
    jobTimeoutSeconds: e.JOB_TIMEOUT_SECONDS,
    jobOutputMaxBytes: e.JOB_OUTPUT_MAX_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    outboundAllowlist: e.OUTBOUND_ALLOWLIST?.split(',') ?? [],
    managementAllowlist: e.MANAGEMENT_ALLOWLIST?.split(',') ?? [],
    webhook: Object.freeze({
      secretGraceSeconds: e.WEBHOOK_SECRET_GRACE_SECONDS,
      backoffBaseMs: e.WEBHOOK_BACKOFF_BASE_MS,
      retryWindowMs: e.WEBHOOK_RETRY_WINDOW_MS,
    }),
    workers: e.WORKERS === 'all' ? 'all' : e.WORKERS.split(','),
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    rolloutSweepIntervalMs: e.ROLLOUT_SWEEP_INTERVAL_MS,
    eventsHeartbeatMs: e.EVENTS_HEARTBEAT_MS,
    timeoutSweepIntervalMs: e.TIMEOUT_SWEEP_INTERVAL_MS,
    expressTimeoutMs: e.EXPRESS_TIMEOUT_MS,
    expressConfirmSeconds: e.EXPRESS_CONFIRM_SECONDS,
    backup: Object.freeze({ maxBytes: e.BACKUP_MAX_BYTES, retentionDays: e.BACKUP_RETENTION_DAYS, keys: backupKeys(e) }),
    fleet: Object.freeze({
      heartbeatIntervalSeconds: e.HEARTBEAT_INTERVAL_SECONDS,
      offlineAfterMissed: e.OFFLINE_AFTER_MISSED,
      sweepIntervalMs: e.OFFLINE_SWEEP_INTERVAL_MS,
      drainIntervalMs: e.SAMPLE_DRAIN_INTERVAL_MS,
      sampleIntervalMs: e.SAMPLE_INTERVAL_SECONDS * 1000,
      sampleStreamMax: e.SAMPLE_STREAM_MAX,
      pruneIntervalMs: e.FLEET_PRUNE_INTERVAL_MS,
      rawSampleRetentionHours: e.SAMPLE_RAW_RETENTION_HOURS,
      rollupRetentionDays: e.SAMPLE_ROLLUP_RETENTION_DAYS,
      faultRetentionDays: e.FAULT_RETENTION_DAYS,
      deleteGraceHours: e.SITE_DELETE_GRACE_HOURS,
      readoptionStaleDays: e.READOPTION_STALE_DAYS,
    }),
    uiDir: e.UI_DIR,
    rateLimit: Object.freeze({ operatorPerMinute: e.RATE_LIMIT_OPERATOR_PER_MINUTE, addressPerMinute: e.RATE_LIMIT_ADDRESS_PER_MINUTE }),
    fairShare: Object.freeze({
      webhook: Object.freeze({ orgConcurrency: e.WEBHOOK_ORG_CONCURRENCY, destinationConcurrency: e.WEBHOOK_DESTINATION_CONCURRENCY }),
      express: Object.freeze({ orgConcurrency: e.EXPRESS_ORG_CONCURRENCY, destinationConcurrency: e.EXPRESS_DESTINATION_CONCURRENCY }),
      connectTimeoutMs: e.OUTBOUND_CONNECT_TIMEOUT_MS,
      circuitFailures: e.CIRCUIT_FAILURES,
      circuitOpenMs: e.CIRCUIT_OPEN_MS,
    }),
  });
}
