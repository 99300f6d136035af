import { UnrecoverableError, type Job } from 'bullmq';
import { createRequestedBackup } from '../src/backups/backups.service.js';
import { AppError } from '../src/errors.js';
import { queueDefs } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';

/**
 * Thin: parse the request and create its backup job. A request that can never succeed (the site
 * was deleted, the key names another job) stops with UnrecoverableError; anything else retries.
 */
export function backupProcessor(deps: Deps): (job: Job) => Promise<{ jobId: string; created: boolean }> {
  return async (job) => {
    const payload = queueDefs.backup.payload.parse(job.data);
    try {
      return await createRequestedBackup(deps, payload);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) throw new UnrecoverableError(`${err.code}: ${err.message}`);
      throw err;
    }
  };
}
