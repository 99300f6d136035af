import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type pg from 'pg';
import { createPrisma, type Db } from './db/prisma.js';
import { createPool, createSqlClient, type SqlClient } from './db/sql.js';
import { createCallbackSigner, type CallbackSigner } from './jobs/signature.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createRedis, type RedisRole } from './redis/client.js';
import { createKeys } from './redis/keys.js';
import { createDispatch, type Dispatch } from './redis/scripts.js';
import { createDeviceTokens, type DeviceTokens } from './sites/device-token.js';

/** Everything a request handler or a worker needs, created once per process and passed down. */
export interface Deps {
  config: Readonly<Config>;
  db: Db;
  /** Hand-written SQL on the same pool as `db`, for hot paths (src/db/sql.ts). */
  sql: SqlClient;
  pool: pg.Pool;
  redis: Redis;
  dispatch: Dispatch;
  log: Logger;
  clock: Clock;
  deviceTokens: DeviceTokens;
  signer: CallbackSigner;
  metrics: Metrics;
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
  return {
    config,
    db,
    sql: createSqlClient(pool),
    pool,
    redis,
    dispatch: createDispatch(redis, createKeys(config.redisPrefix)),
    log,
    clock: opts.clock ?? systemClock,
    deviceTokens: createDeviceTokens(config.signingKey),
    signer: createCallbackSigner(config.signingKey, config.publicUrl),
    metrics: createMetrics(role),
  };
}

export async function disconnect(deps: Deps): Promise<void> {
  await Promise.allSettled([deps.db.$disconnect(), deps.redis.quit()]);
  await deps.pool.end().catch(() => undefined);
}
