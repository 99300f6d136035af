import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config, RedisSentinel } from '../config.js';

export type RedisRole = 'api' | 'worker';

/** One Redis (or a Redis Cluster through ioredis' `Cluster`): the same commands, the same key layout. */
export type RedisClient = Redis | Cluster;

const retryStrategy = (times: number): number => Math.min(times * 100, 2_000);

/**
 * An API connection whose commands leave in one socket write per event-loop turn: the first command
 * of a turn corks the socket and a setImmediate (after the turn's I/O callbacks) uncorks it, so
 * the EVALSHAs of every poll read in that turn reach Redis in one write, and the next turn's go out
 * while Redis still works on them. (ioredis' auto-pipelining keeps one pipeline in flight per
 * connection, so Node and Redis took turns idling: bench/poll.ts, issue 10.)
 */
class TurnWriteRedis extends Redis {
  private corked: Redis['stream'] | null = null;

  override sendCommand(...args: Parameters<Redis['sendCommand']>): ReturnType<Redis['sendCommand']> {
    if (this.corked === null && this.status === 'ready') {
      const socket = this.stream;
      this.corked = socket;
      socket.cork();
      setImmediate(() => {
        this.corked = null;
        socket.uncork();
      });
    }
    return super.sendCommand(...args);
  }
}

/**
 * Connection options that find the master through the Sentinels (ioredis asks them on every
 * (re)connect and checks the server's role), and follow a failover at once: the failover detector
 * drops the connection when a Sentinel announces `+switch-master`, and a READONLY reply (a write
 * that reached a demoted master) reconnects too. The API's command is failed (it answers 503);
 * a worker's is sent again on the new master: Redis refused it unexecuted.
 */
function sentinelOptions(s: RedisSentinel, role: RedisRole): RedisOptions {
  return {
    sentinels: s.sentinels,
    name: s.name,
    username: s.username,
    password: s.password,
    sentinelUsername: s.sentinelUsername,
    sentinelPassword: s.sentinelPassword,
    ...(s.tls ? { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
    failoverDetector: true,
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? (role === 'api' ? 1 : 2) : false),
  };
}

/**
 * API clients fail fast (no offline queue, one retry) so a Redis outage turns into a quick 503
 * instead of piling up requests; worker clients wait (BullMQ requires maxRetriesPerRequest: null).
 * Redis must run with `maxmemory-policy noeviction`: an evicted queue key would hide jobs until
 * the reconciler restores them from PostgreSQL. With `redisCluster` set the client is an ioredis
 * `Cluster` over those seed nodes, with `redisSentinel` one Redis whose master the Sentinels name;
 * each with the same per-role behaviour (docs/redis.md).
 */
export function createRedis(config: Pick<Config, 'redisUrl' | 'redisCluster' | 'redisSentinel'>, role: RedisRole): RedisClient {
  const common = { lazyConnect: true, connectionName: `tikops-${role}` } as const;
  const worker = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
  const api = { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy } as const;
  if (config.redisSentinel) {
    const target = sentinelOptions(config.redisSentinel, role);
    return role === 'worker' ? new Redis({ ...target, ...common, ...worker }) : new TurnWriteRedis({ ...target, ...common, ...api });
  }
  const cluster = config.redisCluster;
  if (!cluster) {
    return role === 'worker' ? new Redis(config.redisUrl, { ...common, ...worker }) : new TurnWriteRedis(config.redisUrl, { ...common, ...api });
  }

  const auth = { username: cluster.username, password: cluster.password, ...(cluster.tls ? { tls: {} } : {}) };
  if (role === 'worker') {
    return new Cluster(cluster.nodes, {
      lazyConnect: true,
      enableReadyCheck: true,
      clusterRetryStrategy: retryStrategy,
      redisOptions: { connectionName: common.connectionName, ...auth, maxRetriesPerRequest: null },
    });
  }
  // A Cluster holds one connection per node: there ioredis' auto-pipelining batches each node's
  // commands (the cork above is one socket's). It picks a command's node by its first argument;
  // these name their key later (XGROUP CREATE <key>, XREADGROUP … STREAMS <key>), so they go alone.
  return new Cluster(cluster.nodes, {
    lazyConnect: true,
    enableAutoPipelining: true,
    autoPipeliningIgnoredCommands: ['xgroup', 'xreadgroup'],
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
