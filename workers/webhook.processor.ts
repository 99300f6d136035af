import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { waitMs } from '../src/redis/fair-share.js';
import { queueDefs } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';
import { deliverEvent, type DeliveryResult } from '../src/webhooks/webhooks.service.js';

/**
 * Thin: parse the event id and make one delivery attempt (the service records it). A failed
 * attempt throws so BullMQ retries it on the webhook backoff; a refused destination or a
 * delivery given up on throws UnrecoverableError so it stops. A paused delivery (its org or
 * destination holds its share, or the destination's circuit is open) goes back to the delayed
 * set with no attempt counted, remembering its route so asking again costs no query.
 */
export function webhookProcessor(deps: Deps): (job: Job, token?: string) => Promise<DeliveryResult> {
  return async (job, token) => {
    const data = queueDefs.webhook.payload.parse(job.data);
    const known = data.org !== undefined && data.destination !== undefined ? { org: data.org, destination: data.destination } : undefined;
    const result = await deliverEvent(deps, BigInt(data.eventId), known);
    switch (result.outcome) {
      case 'paused': {
        if (!known) await job.updateData({ ...data, ...result.route });
        // Waits in a row: BullMQ counts every start, but only failures as attempts made.
        const waits = job.attemptsStarted - job.attemptsMade - 1;
        await job.moveToDelayed(Date.now() + waitMs({ go: false, reason: result.reason, retryAtMs: result.retryAtMs }, deps.clock(), waits), token);
        throw new DelayedError();
      }
      case 'retrying':
        throw new Error(`webhook ${result.deliveryId} attempt ${result.attempt} failed: ${result.error}`);
      case 'refused':
      case 'gave_up':
        throw new UnrecoverableError(`webhook ${result.deliveryId} ${result.outcome}: ${result.error}`);
      case 'delivered':
      case 'settled':
      case 'gone':
        return result;
    }
  };
}
