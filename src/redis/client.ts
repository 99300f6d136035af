import { Redis } from 'ioredis';
import type { Config } from '../config.js';

export type RedisRole = 'api' | 'worker';

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
  return new TurnWriteRedis(config.redisUrl, {
    ...common,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
}
