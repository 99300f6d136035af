import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { queueDefs, isQueueName, type QueueName } from '../src/queues/definitions.js';
import { bullPrefix, createProducers } from '../src/queues/enqueue.js';
import { startRelay } from '../src/queues/outbox.service.js';
import type { Deps } from '../src/runtime.js';
import { maintenanceTasks } from './maintenance.processor.js';
import { buildProcessors, type Processor } from './processors.js';

export interface WorkerRole {
  close(): Promise<void>;
}

/** The queues this process consumes, from WORKERS; unknown names fail start-up. */
export function selectQueues(selection: 'all' | string[]): QueueName[] {
  if (selection === 'all') return Object.keys(queueDefs) as QueueName[];
  const unknown = selection.filter((n) => !isQueueName(n));
  if (unknown.length > 0) throw new Error(`WORKERS names unknown queues: ${unknown.join(', ')}`);
  return selection as QueueName[];
}

/** Validates the payload against the queue's schema before the processor sees it. */
function guarded(name: QueueName, processor: Processor): Processor {
  return (job: Job) => {
    const parsed = queueDefs[name].payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.message}`);
    return processor(job);
  };
}

/**
 * Starts the worker role: a BullMQ worker per selected queue, the maintenance schedules and the
 * outbox relay for those queues. Fails if a selected queue has no processor.
 */
export async function startWorkerRole(deps: Deps, queues = selectQueues(deps.config.workers)): Promise<WorkerRole> {
  const processors = buildProcessors(deps) as Partial<Record<QueueName, Processor>>;
  const missing = queues.filter((q) => typeof processors[q] !== 'function');
  if (missing.length > 0) throw new Error(`no processor for queue(s): ${missing.join(', ')}`);

  const prefix = bullPrefix(deps.config.redisPrefix);
  const producers = createProducers(deps.redis, deps.config.redisPrefix);
  const workers = queues.map((name) => {
    const d = queueDefs[name] as (typeof queueDefs)[QueueName] & { backoff?: (n: number) => number };
    const worker = new Worker(d.name, guarded(name, processors[name]!), {
      connection: deps.redis,
      prefix,
      concurrency: d.concurrency,
      settings: d.backoff ? { backoffStrategy: (attemptsMade: number) => d.backoff!(attemptsMade) } : undefined,
    });
    worker.on('failed', (job, err) => deps.log.warn({ err, queue: name, jobId: job?.id }, 'queue job failed'));
    worker.on('error', (err) => deps.log.error({ err, queue: name }, 'worker error'));
    return worker;
  });

  if (queues.includes('maintenance')) {
    const q = producers.queue('maintenance');
    for (const [task, t] of Object.entries(maintenanceTasks)) {
      await q.upsertJobScheduler(task, { every: t.everyMs(deps) }, { name: task, data: {} });
    }
  }
  const relay = await startRelay(deps, producers, queues);

  return {
    async close() {
      await relay.stop();
      await Promise.all(workers.map((w) => w.close()));
      await producers.close();
    },
  };
}
