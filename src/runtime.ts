import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { createPrisma, type Db } from './db/prisma.js';
import { createPool, createSqlClient, type SqlClient } from './db/sql.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createProducers, type Producers } from './queues/enqueue.js';
import { createRedis, type RedisRole } from './redis/client.js';
import { createDispatch, type Dispatch } from './redis/dispatch.js';
import { createDispatchRecords, type DispatchRecords } from './redis/dispatch-records.js';
import { createFleetRedis, type FleetRedis } from './redis/fleet.js';
import { createKeys } from './redis/keys.js';
import { createCallbackSigner, type CallbackSigner } from './tokens/callback-signature.js';
import { createNegativeCache, type NegativeCache } from './redis/negative-cache.js';
import { createDeviceTokens, type DeviceTokens } from './tokens/device-token.js';

/** Everything a request handler or a worker needs, created once per process and passed down. */
export interface Deps {
  config: Readonly<Config>;
  /** Prisma Client: the model API for ordinary CRUD (ARCHITECTURE.md, "Two database paths"). */
  db: Db;
  /** Hand-written SQL on the same pool as `db`: hot paths, job transitions, bulk statements. */
  sql: SqlClient;
  redis: Redis;
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
  log: Logger;
  clock: Clock;
  deviceTokens: DeviceTokens;
  signer: CallbackSigner;
  metrics: Metrics;
  /** Closes the connections this process opened. */
  close(): Promise<void>;
}

/** Opens the database pool and Redis connection for one process role. */
export async function connect(
  config: Readonly<Config>,
  role: RedisRole,
  opts: { clock?: Clock; log?: Logger } = {},
): Promise<Deps> {
  const log = opts.log ?? createLogger({ level: config.logLevel, name: `tikops-${role}` });
  const redis = createRedis(config, role);
  // ioredis reconnects by itself; without a listener each failed attempt is an "unhandled" error.
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  await redis.connect();
  const pool = createPool(config, (err) => log.warn({ err: err.message }, 'idle database connection lost'));
  const db = createPrisma(pool);
  await db.$connect();
  const keys = createKeys(config.redisPrefix);
  const queues = createProducers(redis, config.redisPrefix);
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
    log,
    clock: opts.clock ?? systemClock,
    deviceTokens: createDeviceTokens(config.signingKey),
    signer: createCallbackSigner(config.signingKey, config.publicUrl),
    metrics: createMetrics(role),
    async close() {
      await queues.close().catch(() => undefined);
      await Promise.allSettled([db.$disconnect(), redis.quit()]);
      await pool.end().catch(() => undefined);
    },
  };
}

export async function disconnect(deps: Deps): Promise<void> {
  await deps.close();
}
