import { queueDefs, type QueueName } from '../queues/definitions.js';
import type { Deps } from '../runtime.js';
import * as repo from './metrics.repo.js';
import { readFleetGauges } from '../fleet/gauges.service.js';
import { FAULT_TYPES } from '../fleet/faults.repo.js';

/** Sets the fleet gauges from the snapshot a worker left in Redis (none: they are not reported). */
async function collectFleet(deps: Deps): Promise<void> {
  const g = await readFleetGauges(deps);
  deps.metrics.sites.reset();
  deps.metrics.openFaults.reset();
  if (!g) return;
  for (const [state, n] of Object.entries(g.sites)) deps.metrics.sites.set({ state }, n);
  for (const type of FAULT_TYPES) deps.metrics.openFaults.set({ type }, g.openFaults[type] ?? 0);
}

/** Refreshes the backlog gauges (queued jobs, outbox, BullMQ waiting jobs) and the fleet gauges just before a scrape. */
export async function collectBacklog(deps: Deps): Promise<void> {
  const { queueDepth, queueLag } = deps.metrics;
  await collectFleet(deps);
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

/**
 * How long backlog gauges are reused: however often /metrics is scraped, this process asks
 * PostgreSQL and BullMQ at most once per interval (concurrent scrapes share one refresh).
 */
const BACKLOG_TTL_MS = 5_000;

/** The Prometheus exposition text of this process. */
export async function exposition(deps: Deps, withBacklog: boolean): Promise<{ contentType: string; body: string }> {
  if (withBacklog) {
    const cache = deps.metrics.backlog;
    if (cache.pending === null && deps.clock() - cache.refreshedAt >= BACKLOG_TTL_MS) {
      cache.refreshedAt = deps.clock();
      cache.pending = collectBacklog(deps).finally(() => (cache.pending = null));
    }
    await cache.pending;
  }
  return { contentType: deps.metrics.registry.contentType, body: await deps.metrics.registry.metrics() };
}
