import type { Job } from 'bullmq';
import { createExpressRunner, type ExpressOutcome } from '../src/express/express.service.js';
import { queueDefs } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';

/** Thin: parse the job id, run express execute for it, return the outcome (events hold the detail). */
export function expressProcessor(deps: Deps): (job: Job) => Promise<ExpressOutcome> {
  const run = createExpressRunner(deps);
  return (job) => run(queueDefs.express.payload.parse(job.data).jobId);
}
