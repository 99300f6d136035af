import { DelayedError, type Job } from 'bullmq';
import { createExpressRunner, type ExpressOutcome } from '../src/express/express.service.js';
import { waitMs } from '../src/redis/fair-share.js';
import { queueDefs } from '../src/queues/definitions.js';
import { behindFreshWork } from './webhook.processor.js';
import type { Deps } from '../src/runtime.js';

/**
 * Thin: parse the job id, run express execute for it, return the outcome (events hold the detail).
 * A busy share (the org's or the router's) puts the job back to the delayed set for a short while.
 */
export function expressProcessor(deps: Deps): (job: Job, token?: string) => Promise<ExpressOutcome> {
  const run = createExpressRunner(deps);
  return async (job, token) => {
    const outcome = await run(queueDefs.express.payload.parse(job.data).jobId, Date.now() - job.timestamp);
    if (outcome !== 'busy') return outcome;
    const waits = job.attemptsStarted - job.attemptsMade - 1;
    await behindFreshWork(job);
    await job.moveToDelayed(Date.now() + waitMs({ go: false, reason: 'org_busy', retryAtMs: null }, deps.clock(), Math.min(waits, 2)), token);
    throw new DelayedError();
  };
}
