import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { AppError } from '../errors.js';
import { checkNotifyUrl } from '../jobs/jobs.service.js';
import { newId } from '../lib/ids.js';
import { webhookAttempts } from '../queues/definitions.js';
import type { Deps } from '../runtime.js';
import type { EndpointDto } from './endpoints.schema.js';
import type { WaitReason } from '../redis/fair-share.js';
import { acquire, destinationOf, outcomeOf, release, send, verdictOf, webhookHeaders, type Outcome } from './webhooks.service.js';

// Organisation-level webhooks for fleet events (docs/webhooks.md, "Fleet events"). A trigger on
// site_fault (prisma/migrations/*_org_webhooks) writes each site.offline / site.online event and
// one outbox row per subscribed endpoint in the fault's own transaction; the `orgWebhook` queue
// delivers each (event, endpoint) pair at least once, signed and retried like job webhooks.

type EndpointRow = { id: string; url: string; events: string[]; createdAt: Date };

const toDto = (e: EndpointRow): EndpointDto => ({
  id: e.id,
  url: e.url,
  events: e.events as EndpointDto['events'],
  created_at: e.createdAt.toISOString(),
});

export async function listEndpoints(deps: Deps, org: string): Promise<EndpointDto[]> {
  const rows = await deps.db.webhookEndpoint.findMany({ where: { orgId: org }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map(toDto);
}

/** Replaces the org's endpoints (deliveries already queued for removed ones are dropped). */
export async function putEndpoints(deps: Deps, by: Actor, endpoints: readonly { url: string; events: string[] }[]): Promise<EndpointDto[]> {
  endpoints.forEach((e, i) => {
    try {
      checkNotifyUrl(deps, e.url);
    } catch (err) {
      if (err instanceof AppError) throw new AppError('parameter_invalid', { param: `endpoints[${i}].url`, message: err.message.replace("'notify_url'", `'endpoints[${i}].url'`) });
      throw err;
    }
  });
  const now = new Date(deps.clock());
  const rows = await auditedPrisma(
    deps,
    by,
    async (tx) => {
      await tx.webhookEndpoint.deleteMany({ where: { orgId: by.org } });
      const data = endpoints.map((e, i) => ({ id: newId(), orgId: by.org, url: e.url, events: e.events, createdBy: by.actor, createdAt: new Date(now.getTime() + i) }));
      await tx.webhookEndpoint.createMany({ data });
      return data;
    },
    (r) => ({ action: 'webhook_endpoints.set', target: `org:${by.org}`, summary: { endpoints: r.map((e) => ({ url: e.url, events: e.events })) } }),
  );
  return rows.map(toDto);
}

export type OrgDeliveryResult =
  | { outcome: Outcome | 'gone'; deliveryId: string; error?: string | null }
  /** Not attempted now: the org or destination holds its share, or the destination is paused (docs/webhooks.md). */
  | { outcome: 'paused'; deliveryId: string; reason: WaitReason; retryAtMs: number | null };

/** The delivery id receivers dedupe on: one per event, the same at every endpoint and attempt. */
export const orgDeliveryId = (eventId: bigint): string => `oevt_${eventId}`;

/**
 * Makes attempt `attempt` (1-based) at delivering org event `eventId` to endpoint `endpointId`.
 * `retrying` means try again later; every other outcome is final.
 */
export async function deliverOrgEvent(deps: Deps, eventId: bigint, endpointId: string, attempt: number): Promise<OrgDeliveryResult> {
  const id = orgDeliveryId(eventId);
  const event = await deps.db.orgEvent.findUnique({ where: { id: eventId } });
  const endpoint = event && (await deps.db.webhookEndpoint.findFirst({ where: { id: endpointId, orgId: event.orgId } }));
  if (!event || !endpoint?.events.includes(event.type)) return { outcome: 'gone', deliveryId: id };
  // The same fair shares and circuit as job webhooks: one org, one destination, whatever the event.
  const route = { org: event.orgId, destination: destinationOf(endpoint.url) };
  const gate = await acquire(deps, route);
  if (!gate.go) return { outcome: 'paused', deliveryId: id, reason: gate.reason, retryAtMs: gate.retryAtMs };
  const body = JSON.stringify({ id, type: event.type, created_at: event.at.toISOString(), data: event.data });
  const sent = await send(deps, endpoint.url, webhookHeaders(deps, id, event.type, body), body); // never throws
  await release(deps, route, gate.lease, verdictOf(sent));
  const outcome = outcomeOf(sent, attempt, webhookAttempts(deps.config));
  deps.metrics.webhookAttempts.inc({ outcome });
  const line = { deliveryId: id, endpointId, org: event.orgId, attempt, status: sent.statusCode, error: sent.error };
  if (outcome === 'refused' || outcome === 'gave_up') deps.log.warn(line, `org webhook delivery ${outcome}`);
  else deps.log.info(line, `org webhook delivery ${outcome}`);
  return { outcome, deliveryId: id, error: sent.error };
}

/** Deletes fleet events older than `before` (their deliveries ended long ago); returns how many. */
export async function pruneOrgEvents(deps: Deps, before: Date): Promise<number> {
  return (await deps.db.orgEvent.deleteMany({ where: { at: { lt: before } } })).count;
}
