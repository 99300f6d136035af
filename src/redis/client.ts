import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config.js';

export type RedisRole = 'api' | 'worker';

/** One Redis (or a Redis Cluster through ioredis' `Cluster`): the same commands, the same key layout. */
export type RedisClient = Redis | Cluster;

const retryStrategy = (times: number): number => Math.min(times * 100, 2_000);

/**
 * API clients fail fast (no offline queue, one retry) so a Redis outage turns into a quick 503
 * instead of piling up requests; worker clients wait (BullMQ requires maxRetriesPerRequest: null).
 * Redis must run with `maxmemory-policy noeviction`: an evicted queue key would hide jobs until
 * the reconciler restores them from PostgreSQL. With `redisCluster` set the client is an ioredis
 * `Cluster` over those seed nodes with the same per-role behaviour (docs/redis.md).
 */
export function createRedis(config: Pick<Config, 'redisUrl' | 'redisCluster'>, role: RedisRole): RedisClient {
  const common = { lazyConnect: true, connectionName: `tikops-${role}` } as const;
  const worker = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
  const api: Omit<RedisOptions, 'retryStrategy'> & { retryStrategy: typeof retryStrategy } = {
    // Concurrent polls' EVALSHAs leave in one write per event-loop tick instead of one each.
    enableAutoPipelining: true,
    // In a cluster, auto-pipelining picks a command's node by its first argument; these commands
    // name their key later (XGROUP CREATE <key>, XREADGROUP … STREAMS <key>), so they go alone.
    autoPipeliningIgnoredCommands: ['xgroup', 'xreadgroup'],
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy,
  };
  const cluster = config.redisCluster;
  if (!cluster) return new Redis(config.redisUrl, { ...common, ...(role === 'worker' ? worker : api) });

  const auth = { username: cluster.username, password: cluster.password, ...(cluster.tls ? { tls: {} } : {}) };
  if (role === 'worker') {
    return new Cluster(cluster.nodes, {
      lazyConnect: true,
      enableReadyCheck: true,
      clusterRetryStrategy: retryStrategy,
      redisOptions: { connectionName: common.connectionName, ...auth, maxRetriesPerRequest: null },
    });
  }
  return new Cluster(cluster.nodes, {
    lazyConnect: true,
    enableAutoPipelining: api.enableAutoPipelining,
    autoPipeliningIgnoredCommands: api.autoPipeliningIgnoredCommands,
    enableOfflineQueue: api.enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
    redisOptions: {
      connectionName: common.connectionName,
      ...auth,
      maxRetriesPerRequest: api.maxRetriesPerRequest,
      connectTimeout: api.connectTimeout,
    },
  });
}
