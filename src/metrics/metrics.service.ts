import { queueDefs, type QueueName } from '../queues/definitions.js';
import type { Deps } from '../runtime.js';
import * as repo from './metrics.repo.js';

/** Refreshes the backlog gauges (queued jobs, outbox, BullMQ waiting jobs) just before a scrape. */
export async function collectBacklog(deps: Deps): Promise<void> {
  const { queueDepth, queueLag } = deps.metrics;
  const now = deps.clock();
  const b = await repo.backlog(deps.db);
  queueDepth.set({ queue: 'jobs' }, b.queuedJobs);
  queueDepth.set({ queue: 'outbox' }, b.outboxRows);
  queueLag.set({ queue: 'outbox' }, b.outboxOldest ? Math.max(0, (now - b.outboxOldest.getTime()) / 1000) : 0);
  for (const name of Object.keys(queueDefs) as QueueName[]) {
    const q = deps.queues.queue(name);
    const [count, [oldest]] = await Promise.all([q.getWaitingCount(), q.getJobs(['wait'], 0, 0, true)]);
    queueDepth.set({ queue: q.name }, count);
    queueLag.set({ queue: q.name }, oldest ? Math.max(0, (now - oldest.timestamp) / 1000) : 0);
  }
}

/** The Prometheus exposition text of this process. */
export async function exposition(deps: Deps, withBacklog: boolean): Promise<{ contentType: string; body: string }> {
  if (withBacklog) await collectBacklog(deps);
  return { contentType: deps.metrics.registry.contentType, body: await deps.metrics.registry.metrics() };
}
