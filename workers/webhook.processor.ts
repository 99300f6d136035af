import { UnrecoverableError, type Job } from 'bullmq';
import { queueDefs } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';
import { deliverOrgEvent, type OrgDeliveryResult } from '../src/webhooks/org-events.service.js';
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

/** The same for a fleet event to one of its org's endpoints (BullMQ counts the attempts). */
export function orgWebhookProcessor(deps: Deps): (job: Job) => Promise<OrgDeliveryResult> {
  return async (job) => {
    const { eventId, endpointId } = queueDefs.orgWebhook.payload.parse(job.data);
    const result = await deliverOrgEvent(deps, BigInt(eventId), endpointId, job.attemptsMade + 1);
    switch (result.outcome) {
      case 'retrying':
        throw new Error(`webhook ${result.deliveryId} to ${endpointId} failed: ${result.error}`);
      case 'refused':
      case 'gave_up':
        throw new UnrecoverableError(`webhook ${result.deliveryId} to ${endpointId} ${result.outcome}: ${result.error}`);
      case 'delivered':
      case 'gone':
        return result;
    }
  };
}
