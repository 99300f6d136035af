import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { createRequestedBackup } from '../src/backups/backups.service.js';
import { AppError } from '../src/errors.js';
import { queueDefs } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';

/**
 * Thin: parse the request and create its backup job. A request that can never succeed (the site
 * was deleted, the key names another job) stops with UnrecoverableError; anything else retries.
 * One that may not start yet waits in BullMQ's delayed set until it may
 * (https://docs.bullmq.io/patterns/process-step-jobs#delaying).
 */
export function backupProcessor(deps: Deps): (job: Job, token?: string) => Promise<{ jobId: string; created: boolean }> {
  return async (job, token) => {
    const payload = queueDefs.backup.payload.parse(job.data);
    const wait = (payload.notBefore ?? 0) - deps.clock();
    if (wait > 0) {
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
    try {
      return await createRequestedBackup(deps, payload);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) throw new UnrecoverableError(`${err.code}: ${err.message}`);
      throw err;
    }
  };
}
