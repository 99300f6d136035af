import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { queueDefs, isQueueName, type QueueName } from '../src/queues/definitions.js';
import { bullPrefix, type Producers } from '../src/queues/enqueue.js';
import { finish as finishOutbox, startRelay } from '../src/queues/outbox.service.js';
import { OUTAGE_LOG_INTERVAL_MS, type Deps } from '../src/runtime.js';
import { oncePer } from '../src/lib/throttle.js';
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

/**
 * Validates the payload against the queue's schema before the processor sees it, and once the job
 * is finished — it succeeded, or failed for good — retires the outbox row it came from, so the
 * relay stops offering it again. A job the processor moved back to the delayed set (DelayedError:
 * its fair share was busy) is not finished.
 */
function guarded(deps: Deps, name: QueueName, processor: Processor): Processor {
  return async (job: Job, token?: string) => {
    const parsed = queueDefs[name].payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.message}`);
    let result: unknown;
    try {
      result = await processor(job, token);
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      const last = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (last && job.id) await finishOutbox(deps, job.id);
      throw err;
    }
    if (job.id) await finishOutbox(deps, job.id);
    return result;
  };
}

/** Keeps the maintenance schedules in Redis (re-created if Redis lost them). */
async function upsertSchedules(deps: Deps, producers: Producers): Promise<void> {
  const q = producers.queue('maintenance');
  for (const [task, t] of Object.entries(maintenanceTasks)) {
    await q.upsertJobScheduler(task, { every: t.everyMs(deps) }, { name: task, data: {} });
  }
}

const SCHEDULE_REFRESH_MS = 30_000;

/**
 * Starts the worker role: a BullMQ worker per selected queue, the maintenance schedules and the
 * outbox relay for those queues. Fails if a selected queue has no processor.
 */
export async function startWorkerRole(deps: Deps, queues = selectQueues(deps.config.workers)): Promise<WorkerRole> {
  const processors = buildProcessors(deps) as Partial<Record<QueueName, Processor>>;
  const missing = queues.filter((q) => typeof processors[q] !== 'function');
  if (missing.length > 0) throw new Error(`no processor for queue(s): ${missing.join(', ')}`);

  const producers = deps.queues;
  const workers = queues.map((name) => {
    const d = queueDefs[name];
    const worker = new Worker(d.name, guarded(deps, name, processors[name]!), {
      connection: deps.redis,
      prefix: bullPrefix(deps.config.redisPrefix, name),
      concurrency: d.concurrency,
      settings: d.backoff ? { backoffStrategy: (attemptsMade: number) => d.backoff!(attemptsMade, deps.config) } : undefined,
    });
    // The payload holds ids only (queueDefs): with them a job is followed from API to worker to webhook.
    worker.on('failed', (job, err) => {
      const attempts = job?.opts.attempts ?? 1;
      const retry = job !== undefined && !(err instanceof UnrecoverableError) && job.attemptsMade < attempts;
      const line = { err: err.message, queue: name, queueJobId: job?.id, attempt: job?.attemptsMade, attempts, payload: job?.data as unknown };
      if (retry) deps.log.info(line, 'queue job failed; will retry');
      else deps.log.warn(line, 'queue job failed for good');
    });
    // While Redis is down BullMQ reports every failed command: one line per interval, not hundreds.
    const workerError = oncePer(OUTAGE_LOG_INTERVAL_MS, (repeated: number, err: Error) =>
      deps.log.error({ err: err.message, queue: name, repeated }, 'worker error'),
    );
    worker.on('error', workerError);
    return worker;
  });

  let refresh: NodeJS.Timeout | null = null;
  if (queues.includes('maintenance')) {
    await upsertSchedules(deps, producers);
    refresh = setInterval(() => {
      upsertSchedules(deps, producers).catch((err: unknown) => deps.log.warn({ err }, 'schedule refresh failed'));
    }, SCHEDULE_REFRESH_MS);
  }
  const relay = startRelay(deps, producers, queues);

  return {
    async close() {
      if (refresh) clearInterval(refresh);
      await relay.stop();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
