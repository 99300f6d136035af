import type { Config } from './config.js';
import { createPrisma, type Db } from './db/prisma.js';
import { reasonOf, redactUrl, within } from './db/reach.js';
import { listen, type Listener } from './db/listen.js';
import { createPool, createSqlClient, sql, type SqlClient } from './db/sql.js';
import { createCredentialCache, type CredentialCache } from './http/credential-cache.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/logger.js';
import { oncePer } from './lib/throttle.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createProducers, type Producers } from './queues/enqueue.js';
import { createRedis, type RedisClient, type RedisRole } from './redis/client.js';
import { createDispatch, type Dispatch } from './redis/dispatch.js';
import { createEventBus, type EventBus } from './redis/events.js';
import { createDispatchRecords, type DispatchRecords } from './redis/dispatch-records.js';
import { createFleetRedis, type FleetRedis } from './redis/fleet.js';
import { createKeys } from './redis/keys.js';
import { createCallbackSigner, type CallbackSigner } from './tokens/callback-signature.js';
import { createNegativeCache, type NegativeCache } from './redis/negative-cache.js';
import { createRateLimits, type RateLimits } from './redis/rate-limit.js';
import { createFairShare, type FairShare } from './redis/fair-share.js';
import { createDeviceTokens, type DeviceTokens } from './tokens/device-token.js';

/** Everything a request handler or a worker needs, created once per process and passed down. */
export interface Deps {
  config: Readonly<Config>;
  /** Prisma Client: the model API for ordinary CRUD (ARCHITECTURE.md, "Two database paths"). */
  db: Db;
  /** Hand-written SQL on the same pool as `db`: hot paths, job transitions, bulk statements. */
  sql: SqlClient;
  /** One Redis or a Redis Cluster (docs/redis.md). */
  redis: RedisClient;
  /** The dispatch path's Lua scripts (queues, run slots, the poll). */
  dispatch: Dispatch;
  /** The reconciler's reads of the dispatch records. */
  records: DispatchRecords;
  /** Fleet health's Redis side (samples stream, `seen`, presence). */
  fleet: FleetRedis;
  /** BullMQ producers (and queue counts) on this process's connection. */
  queues: Producers;
  /** Lookups PostgreSQL recently answered with "no such thing". */
  misses: NegativeCache;
  /** Request rate limits shared by every API pod (src/http/rate-limit.ts applies them). */
  limits: RateLimits;
  /** Concurrency slots and circuit breakers of outbound work (webhooks, express execute). */
  fairShare: FairShare;
  /** Live job and rollout changes over Redis pub/sub (GET /events/stream). */
  events: EventBus;
  log: Logger;
  clock: Clock;
  /** Verified operator credentials (JWTs, API keys) this process remembers for a short while. */
  credentials: CredentialCache;
  deviceTokens: DeviceTokens;
  signer: CallbackSigner;
  metrics: Metrics;
  /** Closes the connections this process opened. */
  close(): Promise<void>;
}

/** A backend a process cannot start without; the message names the setting to fix. */
export class StartupError extends Error {}

/** How long start-up waits for each backend before giving up. */
const REACH_TIMEOUT_MS = 5_000;
/** At most one line per this interval about a Redis outage, however often ioredis retries. */
export const OUTAGE_LOG_INTERVAL_MS = 30_000;

/**
 * Opens the database pool and Redis connection for one process role, and checks both answer:
 * otherwise it closes what it opened and throws a StartupError naming the setting
 * (`cannot reach PostgreSQL at DATABASE_URL=…: connection refused`).
 */
export async function connect(
  config: Readonly<Config>,
  role: RedisRole,
  opts: { clock?: Clock; log?: Logger } = {},
): Promise<Deps> {
  const log = opts.log ?? createLogger({ level: config.logLevel, name: `tikops-${role}` });
  const redis = createRedis(config, role);
  let lastRedisError: Error | undefined;
  let redisDown = false;
  const warnRedis = oncePer(OUTAGE_LOG_INTERVAL_MS, (suppressed: number, err: Error) =>
    log.warn({ err: reasonOf(err), repeated: suppressed, redisUrl: redactUrl(config.redisUrl) }, 'redis unavailable; retrying'),
  );
  // ioredis reconnects by itself; without a listener each failed attempt is an "unhandled" error.
  let started = false; // before that, a failure is reported once, as the StartupError below
  redis.on('error', (err: Error) => {
    lastRedisError = err;
    redisDown = true;
    if (started) warnRedis(err);
  });
  redis.on('ready', () => {
    if (redisDown) log.info('redis connection restored');
    redisDown = false;
  });
  const pool = createPool(config, (err) => log.warn({ err: err.message }, 'idle database connection lost'));
  const [pg, rd] = await Promise.allSettled([
    within(pool.query('SELECT 1'), REACH_TIMEOUT_MS),
    within(redis.connect(), REACH_TIMEOUT_MS),
  ]);
  const problems: string[] = [];
  if (pg.status === 'rejected') problems.push(`cannot reach PostgreSQL at DATABASE_URL=${redactUrl(config.databaseUrl)}: ${reasonOf(pg.reason)}`);
  if (rd.status === 'rejected') problems.push(`cannot reach Redis at REDIS_URL=${redactUrl(config.redisUrl)}: ${reasonOf(lastRedisError ?? rd.reason)}`);
  if (problems.length > 0) {
    redis.disconnect();
    await pool.end().catch(() => undefined);
    throw new StartupError(problems.join('\n'));
  }
  started = true;
  const db = createPrisma(pool);
  await db.$connect();
  const keys = createKeys(config.redisPrefix);
  const queues = createProducers(redis, config.redisPrefix);
  // API processes hear API key changes (revocations) from every pod; a worker authenticates no operator.
  let keyChanges: Listener | null = null;
  const credentials = createCredentialCache({
    maxAgeMs: config.authCache.seconds * 1000,
    entries: config.authCache.entries,
    caughtUp: () => keyChanges?.caughtUp() ?? Promise.reject(new Error('not listening')),
  });
  if (role === 'api' && config.authCache.seconds > 0) keyChanges = listenForKeyChanges(config, credentials, log);
  const events = createEventBus(redis, keys, log);
  return {
    config,
    db,
    sql: createSqlClient(pool),
    redis,
    dispatch: createDispatch(redis, keys),
    records: createDispatchRecords(redis, keys),
    fleet: createFleetRedis(redis, keys),
    queues,
    misses: createNegativeCache(redis, keys),
    limits: createRateLimits(redis, keys, { operator: config.rateLimit.operatorPerMinute, address: config.rateLimit.addressPerMinute }),
    fairShare: createFairShare(redis, keys, config.fairShare),
    events,
    log,
    clock: opts.clock ?? systemClock,
    credentials,
    deviceTokens: createDeviceTokens(config.signingKey),
    signer: createCallbackSigner(config.signingKey, config.publicUrl),
    metrics: createMetrics(role),
    async close() {
      await keyChanges?.close();
      await events.close();
      await queues.close().catch(() => undefined);
      await Promise.allSettled([db.$disconnect(), redis.quit()]);
      await pool.end().catch(() => undefined);
    },
  };
}

/** Forwards API key changes (the api_key_changed trigger's NOTIFY) to the credential cache. */
function listenForKeyChanges(config: Readonly<Config>, credentials: CredentialCache, log: Logger): Listener {
  let wasDown = false;
  return listen(config.databaseUrl, 'api_key_changed', {
    message: (keyId) => credentials.forgetKey(keyId),
    up() {
      if (wasDown) log.info('listening for api key changes again');
      credentials.hearingKeys(true);
    },
    down(err) {
      wasDown = true;
      credentials.hearingKeys(false);
      log.warn({ err: reasonOf(err) }, 'not hearing api key changes; api keys are checked in PostgreSQL on every request until this is back');
    },
  });
}

export async function disconnect(deps: Deps): Promise<void> {
  await deps.close();
}

export interface Readiness {
  ready: boolean;
  /** 'ok', or why not. */
  postgres: string;
  redis: string;
}

/** Whether this process can do its work now: PostgreSQL answers a query and Redis is connected. */
export async function readiness(deps: Pick<Deps, 'sql' | 'redis'>, timeoutMs = 2_000): Promise<Readiness> {
  const [pg, rd] = await Promise.allSettled([
    within(deps.sql.rows(sql`SELECT 1 AS one`), timeoutMs),
    deps.redis.status === 'ready' ? within(deps.redis.ping(), timeoutMs) : Promise.reject(new Error(`connection ${deps.redis.status}`)),
  ]);
  const postgres = pg.status === 'fulfilled' ? 'ok' : reasonOf(pg.reason);
  const redis = rd.status === 'fulfilled' ? 'ok' : reasonOf(rd.reason);
  return { ready: postgres === 'ok' && redis === 'ok', postgres, redis };
}
