import { AppError } from '../errors.js';
import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { adoptedName, type Inventory } from '../routeros/inventory.js';
import { newId } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import type { DeviceIdentity } from '../tokens/device-token.js';
import * as repo from './lifecycle.repo.js';
import type { SiteRow } from './sites.repo.js';
import * as sites from './sites.repo.js';

// Adoption and deletion of sites. A site is found again by serial number within its org, so a
// router adopted twice keeps one site; re-adoption rotates the device token (the router gets the
// new one in the same answer), so whoever learns a serial number cannot silently clone a live
// site with the runbook token: the real router would lose its token and show up offline.

export interface Adopted {
  site: SiteRow;
  token: string;
  created: boolean;
}

const issue = (deps: Deps, s: SiteRow): string => deps.deviceTokens.issue({ siteId: s.id, tokenVersion: s.tokenVersion });

/** Creates the router's site in `orgId`, or finds it again by serial number and rotates its token. */
export async function adoptSite(deps: Deps, orgId: string, runbookId: string, inventory: Inventory): Promise<Adopted> {
  // Two attempts: a concurrent adoption of the same router may create the site between our look-up and insert.
  for (let attempt = 0; attempt < 2; attempt++) {
    let existing = inventory.serialNumber ? await repo.findBySerial(deps.db, orgId, inventory.serialNumber) : null;
    if (existing?.deletedAt) {
      // Being deleted: the operator asked for it to go, so it goes now and the router starts afresh.
      await purgeSites(deps, [existing.id]);
      existing = null;
    }
    if (existing) {
      const site = await repo.readopt(deps.db, existing.id, runbookId, inventory);
      // If this fails the new token is still accepted: its newer version makes the poll restore
      // the site from PostgreSQL, which revokes the old one.
      await deps.dispatch
        .raiseTokenVersion(site.id, site.tokenVersion)
        .catch((err: unknown) => deps.log.warn({ err, siteId: site.id }, 'token version not raised in redis'));
      return { site, token: issue(deps, site), created: false };
    }
    const site = await repo.createAdopted(deps.db, { id: newId(), orgId, name: adoptedName(inventory), runbookId, inventory });
    if (site) {
      await deps.dispatch
        .registerSite(site.id, site.tokenVersion, site.orgId)
        .catch((err: unknown) => deps.log.warn({ err, siteId: site.id }, 'site not warmed in redis'));
      return { site, token: issue(deps, site), created: true };
    }
  }
  throw new AppError('internal_server_error', { message: 'adoption kept racing with another adoption' });
}

/** Marks the org's site deleted with a purge deadline; repeats keep the first deadline. */
export async function markDeleted(deps: Deps, by: Actor, siteId: string): Promise<SiteRow> {
  const now = deps.clock();
  const purgeAt = new Date(now + deps.config.fleet.deleteGraceHours * 3_600_000);
  const marked = await auditedPrisma(deps, by, (tx) => repo.markDeleted(tx, by.org, siteId, new Date(now), purgeAt), (m) =>
    m?.changed ? { action: 'site.delete', target: `site:${m.site.id}`, summary: { name: m.site.name, purge_at: purgeAt.toISOString() } } : null,
  );
  if (!marked) throw new AppError('site_not_found');
  return marked.site;
}

/** A device token for the site, as its agent holds one (for scripts the router runs). */
export function deviceToken(deps: Deps, site: SiteRow): string {
  return issue(deps, site);
}

/**
 * Deletes sites and everything they own in PostgreSQL, then in Redis. PostgreSQL goes first: a
 * poll racing the purge can at worst re-warm the site hash, and the sample drain forgets sites
 * PostgreSQL no longer has. Returns how many sites were purged.
 */
export async function purgeSites(deps: Deps, ids: string[]): Promise<number> {
  const gone = await repo.purge(deps.sql, ids);
  await deps.fleet.forgetSites(gone);
  if (gone.length > 0) deps.log.info({ sites: gone }, 'sites purged');
  return gone.length;
}

/** Purges up to `limit` deleted sites whose grace period is over. */
export async function purgeDue(deps: Deps, limit: number): Promise<number> {
  return purgeSites(deps, await repo.duePurges(deps.db, new Date(deps.clock()), limit));
}

/**
 * POST /notify/delete: the router confirms it removed its agent, so its site is purged now.
 * Only a current device token of a site that is being deleted may do this.
 */
export async function confirmDeletion(deps: Deps, device: DeviceIdentity): Promise<void> {
  const site = await sites.findById(deps.db, device.siteId);
  if (!site || site.tokenVersion !== device.tokenVersion) throw new AppError('device_token_invalid');
  if (!site.deletedAt) throw new AppError('site_not_deleting');
  await purgeSites(deps, [site.id]);
}
