import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { waitMs, type WaitReason } from '../src/redis/fair-share.js';
import { queueDefs } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';
import { deliverOrgEvent, type OrgDeliveryResult } from '../src/webhooks/org-events.service.js';
import { abandonDelivery, deliverEvent, type DeliveryResult } from '../src/webhooks/webhooks.service.js';

const NOT_ATTEMPTED = 'not attempted: the destination stayed paused (circuit open) past the retry window';

/**
 * Work that had to wait comes back behind fresh work: BullMQ hands out its wait list before its
 * prioritized set, and a delayed job with a priority returns to the prioritized set. So another
 * org's new delivery never queues behind a backlog of deliveries that keep finding their shares full.
 */
export async function behindFreshWork(job: Job): Promise<void> {
  if (!job.priority) await job.changePriority({ priority: 1 });
}

/**
 * Puts a delivery that found no slot back to BullMQ's delayed set (no attempt counted) and throws
 * DelayedError; returns false instead when its destination is still paused and the retry window
 * (from when the delivery was queued) is over, so the caller gives it up. A pause that would
 * outlast the window wakes the delivery when the window ends.
 */
async function reschedule(deps: Deps, job: Job, token: string | undefined, wait: { reason: WaitReason; retryAtMs: number | null }): Promise<false> {
  const paused = wait.reason === 'circuit_open' || wait.reason === 'probe_in_flight';
  const windowEnds = job.timestamp + deps.config.webhook.retryWindowMs;
  if (paused && Date.now() > windowEnds) return false;
  // Waits in a row: BullMQ counts every start, but only failures as attempts made.
  const waits = job.attemptsStarted - job.attemptsMade - 1;
  const at = Date.now() + waitMs({ go: false, ...wait }, deps.clock(), waits);
  await behindFreshWork(job);
  await job.moveToDelayed(paused ? Math.min(at, Math.max(windowEnds + 1, Date.now())) : at, token);
  throw new DelayedError();
}

/**
 * Thin: parse the event id and make one delivery attempt (the service records it). A failed
 * attempt throws so BullMQ retries it on the webhook backoff; a refused destination or a
 * delivery given up on throws UnrecoverableError so it stops. A paused delivery (its org or
 * destination holds its share, or the destination's circuit is open) goes back to the delayed
 * set with no attempt counted, remembering its route so asking again costs no query; one whose
 * destination stays paused past the retry window is given up without a request.
 */
export function webhookProcessor(deps: Deps): (job: Job, token?: string) => Promise<DeliveryResult> {
  return async (job, token) => {
    const data = queueDefs.webhook.payload.parse(job.data);
    const known = data.org !== undefined && data.destination !== undefined ? { org: data.org, destination: data.destination } : undefined;
    const result = await deliverEvent(deps, BigInt(data.eventId), known);
    switch (result.outcome) {
      case 'paused': {
        if (!known) await job.updateData({ ...data, ...result.route });
        await reschedule(deps, job, token, result);
        const given = await abandonDelivery(deps, BigInt(data.eventId), NOT_ATTEMPTED);
        if (given.outcome === 'gave_up') throw new UnrecoverableError(`webhook ${given.deliveryId} gave_up: ${NOT_ATTEMPTED}`);
        return given;
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

/**
 * The same for a fleet event to one of its org's endpoints (BullMQ counts the attempts; a paused
 * delivery, moved back to the delayed set, is not one).
 */
export function orgWebhookProcessor(deps: Deps): (job: Job, token?: string) => Promise<OrgDeliveryResult> {
  return async (job, token) => {
    const { eventId, endpointId } = queueDefs.orgWebhook.payload.parse(job.data);
    const result = await deliverOrgEvent(deps, BigInt(eventId), endpointId, job.attemptsMade + 1);
    switch (result.outcome) {
      case 'paused':
        await reschedule(deps, job, token, result);
        deps.log.warn({ deliveryId: result.deliveryId, endpointId, error: NOT_ATTEMPTED }, 'org webhook delivery gave_up');
        throw new UnrecoverableError(`webhook ${result.deliveryId} to ${endpointId} gave_up: ${NOT_ATTEMPTED}`);
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
