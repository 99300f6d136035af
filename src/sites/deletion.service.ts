import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Actor } from '../audit/audit.service.js';
import * as jobs from '../jobs/jobs.service.js';
import type { Deps } from '../runtime.js';
import type { DeviceIdentity } from '../tokens/device-token.js';
import * as lifecycle from './lifecycle.service.js';
import * as sites from './sites.service.js';
import { renderRemoval } from '../routeros/agent.js';

// Site deletion (docs/onboarding.md): DELETE marks the site and queues an ordinary job that makes
// the router confirm (POST /notify/delete, which purges the site) and then remove its agent. A
// router that never runs it (offline, already reset) is purged when the grace period ends.

/** The removal job's idempotency key: one per site, so a repeated DELETE queues nothing new. */
function removalKey(siteId: string): string {
  const h = createHash('sha256').update(`tikops:remove-agent:${siteId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Marks the site for deletion and queues the agent's removal; answers the site as it now is. */
export async function deleteSite(deps: Deps, by: Actor, siteId: string): Promise<sites.SiteDto> {
  const site = await lifecycle.markDeleted(deps, by, siteId);
  const script = renderRemoval({ siteId: site.id, token: lifecycle.deviceToken(deps, site), publicUrl: deps.config.publicUrl });
  try {
    await jobs.createJob(deps, by.org, site.id, {
      idempotencyKey: removalKey(site.id),
      description: 'Remove the tikops agent (site deleted)',
      script,
      needsAck: false,
      backup: false,
      express: false,
      notifyUrl: null,
      removal: true,
    }, null);
  } catch (err) {
    // The key was used before: the removal job is already queued (its token differs each time).
    if (!(err instanceof AppError && err.code === 'idempotency_key_reused')) throw err;
  }
  return (await sites.toDtos(deps, [site]))[0]!;
}

/** POST /notify/delete by a device: the router removed its agent, purge the site now. */
export async function notifyDeleted(deps: Deps, device: DeviceIdentity): Promise<void> {
  await lifecycle.confirmDeletion(deps, device);
}
