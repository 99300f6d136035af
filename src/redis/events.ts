import { Cluster } from 'ioredis';
import type { RedisClient } from './client.js';
import type { Logger } from '../lib/logger.js';
import type { Keys } from './keys.js';

// Live changes for GET /events/stream (src/events), across API pods: whoever commits a job or
// rollout change PUBLISHes it on one channel (best effort: the database stays the truth, and a
// dashboard that misses a change sees it on its next read); each API process holds ONE subscriber
// connection, opened when its first stream opens, and fans every message out in memory to its
// open streams, which filter by org (https://redis.io/docs/latest/develop/interact/pubsub/).

/** A change a dashboard refetches on. Only ids and the new state: the stream never carries data the reader could not fetch. */
export type LiveEvent =
  | { kind: 'job'; org: string; site_id: string; job_id: string; state: string; rollout_id: string | null }
  | { kind: 'rollout'; org: string; rollout_id: string; state: string };

export interface EventListener {
  event(e: LiveEvent): void;
  /** The bus is closing (the process stops): end the stream. */
  end(): void;
}

export interface EventBus {
  /** Publishes `events` in one message; never throws (a lost live event only delays a refresh). */
  publish(events: LiveEvent[]): Promise<void>;
  /** Adds a listener (opening this process's subscriber connection if needed); returns its removal. */
  listen(l: EventListener): () => void;
  /** How many listeners this process has (metrics, the bench). */
  listeners(): number;
  close(): Promise<void>;
}

export function createEventBus(redis: RedisClient, keys: Keys, log: Logger): EventBus {
  const listeners = new Set<EventListener>();
  let subscriber: RedisClient | null = null;

  const deliver = (channel: string, message: string): void => {
    if (channel !== keys.events) return;
    let events: LiveEvent[];
    try {
      events = JSON.parse(message) as LiveEvent[];
    } catch {
      return;
    }
    for (const e of events) for (const l of listeners) l.event(e);
  };

  const open = (): void => {
    // A subscriber waits for Redis instead of failing fast: it holds no request, and ioredis
    // re-subscribes by itself after a reconnect.
    // In a Redis Cluster a PUBLISH reaches the subscribers of every node (the cluster bus carries it).
    const sub =
      redis instanceof Cluster
        ? redis.duplicate([], { lazyConnect: false, enableOfflineQueue: true, enableAutoPipelining: false, redisOptions: { ...redis.options.redisOptions, maxRetriesPerRequest: null, connectionName: 'tikops-api-events' } })
        : redis.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null, enableAutoPipelining: false, connectionName: 'tikops-api-events' });
    sub.on('error', (err: Error) => log.debug({ err: err.message }, 'events subscriber: redis error'));
    sub.on('message', deliver);
    sub.subscribe(keys.events).catch((err: unknown) => log.warn({ err }, 'events subscriber: subscribe failed'));
    subscriber = sub;
  };

  return {
    async publish(events) {
      if (events.length === 0) return;
      await redis.publish(keys.events, JSON.stringify(events)).then(
        () => undefined,
        (err: unknown) => log.debug({ err }, 'live event not published'),
      );
    },
    listen(l) {
      listeners.add(l);
      if (!subscriber) open();
      return () => void listeners.delete(l);
    },
    listeners: () => listeners.size,
    async close() {
      for (const l of [...listeners]) l.end();
      listeners.clear();
      const sub = subscriber;
      subscriber = null;
      if (sub) await sub.quit().catch(() => sub.disconnect());
    },
  };
}
