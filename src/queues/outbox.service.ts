import type { Deps } from '../runtime.js';
import { isQueueName, type QueueName } from './definitions.js';
import type { Producers } from './enqueue.js';
import * as repo from './outbox.repo.js';

// Moves outbox rows (written by the job_event trigger in the same transaction as each job
// transition) into BullMQ, polling every RELAY_EVERY_MS (NOTIFY would be quicker to wake, but it
// serialises every committing transaction behind one lock: measured ~100 jobs/s); several relays
// can run at once (SKIP LOCKED). A row stays until its queue job finished (see finish):
// one still there a while after it was relayed is relayed again, which BullMQ ignores while it
// still holds the job id and which recreates the job if Redis lost it (a restart, FLUSHALL).

const BATCH = 200;
const RELAY_EVERY_MS = 200;
const RELAY_AGAIN_AFTER_MS = 60_000;

/** Relays every pending row of `queues` now; returns how many were relayed. */
export async function relayOnce(deps: Deps, producers: Producers, queues: QueueName[]): Promise<number> {
  let total = 0;
  for (;;) {
    const staleBefore = new Date(deps.clock() - RELAY_AGAIN_AFTER_MS);
    const n = await repo.relayBatch(deps.sql, queues, staleBefore, BATCH, async (rows) => {
      const byQueue = new Map<QueueName, { jobId: string; data: unknown }[]>();
      for (const r of rows) {
        if (!isQueueName(r.queue)) continue;
        const list = byQueue.get(r.queue) ?? [];
        list.push({ jobId: r.jobKey, data: r.payload });
        byQueue.set(r.queue, list);
      }
      for (const [queue, jobs] of byQueue) await producers.addBulk(queue, jobs);
    });
    total += n;
    if (n < BATCH) return total;
  }
}

/** Marks the outbox row behind a finished queue job as done (no-op for jobs that had none). */
export function finish(deps: Deps, jobKey: string): Promise<void> {
  return repo.finish(deps.db, jobKey);
}

export interface Relay {
  stop(): Promise<void>;
}

/** Starts the relay loop for `queues` in this process. */
export function startRelay(deps: Deps, producers: Producers, queues: QueueName[]): Relay {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const kick = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await relayOnce(deps, producers, queues);
        } catch (err) {
          deps.log.warn({ err }, 'outbox relay failed; will retry');
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(kick, RELAY_EVERY_MS);
  kick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
