import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { waitMs } from '../src/redis/fair-share.js';
import { queueDefs } from '../src/queues/definitions.js';
import type { Deps } from '../src/runtime.js';
import { abandonDelivery, deliverEvent, type DeliveryResult } from '../src/webhooks/webhooks.service.js';

const NOT_ATTEMPTED = 'not attempted: the destination stayed paused (circuit open) past the retry window';

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
        const paused = result.reason === 'circuit_open' || result.reason === 'probe_in_flight';
        const windowEnds = job.timestamp + deps.config.webhook.retryWindowMs;
        if (paused && Date.now() > windowEnds) {
          const given = await abandonDelivery(deps, BigInt(data.eventId), NOT_ATTEMPTED);
          if (given.outcome === 'gave_up') throw new UnrecoverableError(`webhook ${given.deliveryId} gave_up: ${NOT_ATTEMPTED}`);
          return given;
        }
        if (!known) await job.updateData({ ...data, ...result.route });
        // Waits in a row: BullMQ counts every start, but only failures as attempts made.
        const waits = job.attemptsStarted - job.attemptsMade - 1;
        const at = Date.now() + waitMs({ go: false, reason: result.reason, retryAtMs: result.retryAtMs }, deps.clock(), waits);
        // A pause that outlasts the retry window: wake when the window ends, to give up then.
        await job.moveToDelayed(paused ? Math.min(at, Math.max(windowEnds + 1, Date.now())) : at, token);
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
