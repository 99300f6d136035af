import { Redis } from 'ioredis';
import type { Config } from '../config.js';

export type RedisRole = 'api' | 'worker';

/**
 * API clients fail fast (no offline queue, one retry) so a Redis outage turns into a quick 503
 * instead of piling up requests; worker clients wait (BullMQ requires maxRetriesPerRequest: null).
 * Redis must run with `maxmemory-policy noeviction`: an evicted queue key would hide jobs until
 * the reconciler restores them from PostgreSQL.
 */
export function createRedis(config: Pick<Config, 'redisUrl'>, role: RedisRole): Redis {
  const common = { lazyConnect: true, connectionName: `tikops-${role}` } as const;
  if (role === 'worker') {
    return new Redis(config.redisUrl, { ...common, maxRetriesPerRequest: null, enableReadyCheck: true });
  }
  return new Redis(config.redisUrl, {
    ...common,
    // Concurrent polls' EVALSHAs leave in one write per event-loop tick instead of one each.
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
}
