import { UnrecoverableError, type Job } from 'bullmq';
import { queueDefs } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';
import { deliverEvent, deliverRolloutEvent, type DeliveryResult } from '../src/webhooks/webhooks.service.js';

/**
 * Thin: parse the event id and make one delivery attempt (the service records it). A failed
 * attempt throws so BullMQ retries it on the webhook backoff; a refused destination or a
 * delivery given up on throws UnrecoverableError so it stops.
 */
export function webhookProcessor(deps: Deps): (job: Job) => Promise<DeliveryResult> {
  return async (job) => {
    const payload = queueDefs.webhook.payload.parse(job.data);
    const result = 'eventId' in payload ? await deliverEvent(deps, BigInt(payload.eventId)) : await deliverRolloutEvent(deps, BigInt(payload.rolloutEventId));
    switch (result.outcome) {
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
