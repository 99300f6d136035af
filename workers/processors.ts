import type { Job } from 'bullmq';
import type { QueueName } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';
import { backupProcessor } from './backup.processor.js';
import { expressProcessor } from './express.processor.js';
import { maintenanceProcessor } from './maintenance.processor.js';
import { orgWebhookProcessor, webhookProcessor } from './webhook.processor.js';

/** `token`: the worker's lock on the job, which moving it back to the delayed set needs. */
export type Processor = (job: Job, token?: string) => Promise<unknown>;

/** One processor per queue; the mapped type makes a missing one a compile error. */
export function buildProcessors(deps: Deps): { [Q in QueueName]: Processor } {
  return {
    maintenance: maintenanceProcessor(deps),
    backup: backupProcessor(deps),
    express: expressProcessor(deps),
    webhook: webhookProcessor(deps),
    orgWebhook: orgWebhookProcessor(deps),
  };
}
