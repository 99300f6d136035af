import { AppError } from '../errors.js';
import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { adoptedName, adoptionKey, type Inventory } from '../routeros/inventory.js';
import { newId } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import type { DeviceIdentity } from '../tokens/device-token.js';
import * as repo from './lifecycle.repo.js';
import { presenceOf } from './presence.service.js';
import type { SiteRow } from './sites.repo.js';
import * as sites from './sites.repo.js';

// Adoption and deletion of sites. A site is found again by serial number within its org, so a
// router adopted twice keeps one site; re-adoption rotates the device token (the router gets the
// new one in the same answer). Re-adopting an existing site needs proof that the adopting router
// is the site's (docs/security.md#re-adoption): the site's current device token, which the
// bootstrap reads from the installed agent; or an operator's approval; or a site that has gone
// quiet for READOPTION_STALE_DAYS. Without one, the adoption is refused and the site only records
// that it was asked: a runbook token and a serial number no longer take over a live site.

export interface Adopted {
  site: SiteRow;
  token: string;
  created: boolean;
}

/** What an adoption request brings besides the router's facts. */
export interface AdoptionProof {
  /** The identity in the device token the bootstrap sent (from the installed agent), if any verified. */
  device: DeviceIdentity | null;
  /** The requester's address, recorded on a refused re-adoption. */
  source: string | null;
}

/** How long an operator's approval of a re-adoption lets the next adoption proceed. */
export const READOPTION_APPROVAL_MS = 3_600_000;

const issue = (deps: Deps, s: SiteRow): string => deps.deviceTokens.issue({ siteId: s.id, tokenVersion: s.tokenVersion });

/** Why an existing site may be adopted again now, or null if it may not (docs/security.md#re-adoption). */
async function readoptionGrant(deps: Deps, site: SiteRow, device: DeviceIdentity | null): Promise<'token' | 'approved' | 'stale' | null> {
  if (device && device.siteId === site.id && device.tokenVersion === site.tokenVersion) return 'token';
  const now = deps.clock();
  if (site.readoptionApprovedUntil && site.readoptionApprovedUntil.getTime() > now) return 'approved';
  // Redis knows the exact last heartbeat; PostgreSQL's (lazily refreshed) value is the fallback.
  const seen = (await presenceOf(deps, [site])).get(site.id)?.lastSeenAt ?? null;
  const quietSince = (seen ?? site.createdAt).getTime();
  return now - quietSince > deps.config.fleet.readoptionStaleDays * 86_400_000 ? 'stale' : null;
}

/**
 * Creates the router's site in `orgId`, or finds it again by serial number (software id without
 * one) and, given proof (see `readoptionGrant`), rotates its token. Without proof: 409
 * `readoption_pending`, and the site records the request for an operator to approve.
 */
export async function adoptSite(deps: Deps, orgId: string, runbookId: string, inventory: Inventory, proof: AdoptionProof): Promise<Adopted> {
  // Two attempts: a concurrent adoption of the same router may create the site between our look-up and insert.
  for (let attempt = 0; attempt < 3; attempt++) {
    const key = adoptionKey(inventory);
    let existing =
      key === null ? null : 'serialNumber' in key ? await repo.findBySerial(deps.db, orgId, key.serialNumber) : await repo.findBySoftwareId(deps.db, orgId, key.softwareId);
    if (existing?.deletedAt) {
      // Being deleted: the operator asked for it to go, so it goes now and the router starts afresh.
      await purgeSites(deps, [existing.id]);
      existing = null;
    }
    if (existing) {
      const grant = await readoptionGrant(deps, existing, proof.device);
      if (!grant) {
        await repo.requestReadoption(deps.db, existing.id, new Date(deps.clock()), proof.source);
        deps.log.warn({ siteId: existing.id, source: proof.source, withToken: proof.device !== null }, 're-adoption refused: no current device token and no approval');
        throw new AppError('readoption_pending');
      }
      const site = await repo.readopt(deps.db, existing.id, existing.tokenVersion, runbookId, inventory);
      // Another adoption or a rotation changed the token first: judge again with what it left.
      if (!site) continue;
      // If this fails the new token is still accepted: its newer version makes the poll restore
      // the site from PostgreSQL, which revokes the old one.
      await deps.dispatch
        .raiseTokenVersion(site.id, site.tokenVersion)
        .catch((err: unknown) => deps.log.warn({ err, siteId: site.id }, 'token version not raised in redis'));
      deps.log.info({ siteId: site.id, grant }, 'site re-adopted');
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

/**
 * POST /site/{siteId}/approve-readoption: the next adoption of the site's router within
 * READOPTION_APPROVAL_MS proceeds without its device token. Only a pending request can be approved.
 */
export async function approveReadoption(deps: Deps, by: Actor, siteId: string): Promise<SiteRow> {
  const until = new Date(deps.clock() + READOPTION_APPROVAL_MS);
  const approved = await auditedPrisma(deps, by, (tx) => repo.approveReadoption(tx, by.org, siteId, until), (a) =>
    a?.changed
      ? {
          action: 'site.approve_readoption',
          target: `site:${a.site.id}`,
          summary: { name: a.site.name, approved_until: until.toISOString(), requested_at: a.site.readoptionRequestedAt?.toISOString() ?? null, requested_from: a.site.readoptionRequestedFrom },
        }
      : null,
  );
  if (!approved) throw new AppError('site_not_found');
  if (!approved.changed) throw new AppError('readoption_not_pending');
  return approved.site;
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

/**
 * Deletes sites and everything they own in PostgreSQL, then in Redis. PostgreSQL goes first: a
 * poll racing the purge can at worst re-warm the site hash, and the sample drain forgets sites
 * PostgreSQL no longer has. Returns how many sites were purged.
 */
/** How long a purged site's device token is refused from Redis alone; later polls cost one lookup each hour. */
const PURGED_SITE_TTL_SECONDS = 7 * 86_400;

export async function purgeSites(deps: Deps, ids: string[]): Promise<number> {
  const gone = await repo.purge(deps.sql, ids);
  await deps.fleet.forgetSites(gone);
  // Their routers may keep polling with still-sealed tokens: answer them from Redis (src/poll).
  await deps.misses.add('site', gone, PURGED_SITE_TTL_SECONDS);
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
