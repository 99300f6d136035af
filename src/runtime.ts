import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { createPrisma, type Db } from './db/prisma.js';
import { createCallbackSigner, type CallbackSigner } from './jobs/signature.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createRedis, type RedisRole } from './redis/client.js';
import { createKeys } from './redis/keys.js';
import { createDispatch, type Dispatch } from './redis/scripts.js';
import { createDeviceTokens, type DeviceTokens } from './sites/device-token.js';

/** Everything a request handler or a worker needs, created once per process and passed down. */
export interface Deps {
  config: Readonly<Config>;
  db: Db;
  redis: Redis;
  dispatch: Dispatch;
  log: Logger;
  clock: Clock;
  deviceTokens: DeviceTokens;
  signer: CallbackSigner;
}

/** Opens the database pool and Redis connection for one process role. */
export async function connect(
  config: Readonly<Config>,
  role: RedisRole,
  opts: { clock?: Clock; log?: Logger } = {},
): Promise<Deps> {
  const log = opts.log ?? createLogger({ level: config.logLevel, name: `tikops-${role}` });
  const redis = createRedis(config, role);
  await redis.connect();
  const db = createPrisma(config);
  await db.$connect();
  return {
    config,
    db,
    redis,
    dispatch: createDispatch(redis, createKeys(config.redisPrefix)),
    log,
    clock: opts.clock ?? systemClock,
    deviceTokens: createDeviceTokens(config.signingKey),
    signer: createCallbackSigner(config.signingKey, config.publicUrl),
  };
}

export async function disconnect(deps: Deps): Promise<void> {
  await Promise.allSettled([deps.db.$disconnect(), deps.redis.quit()]);
}
