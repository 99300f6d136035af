import { AppError } from '../errors.js';
import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { presenceOf } from './presence.service.js';
import { newId } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import { siteDto, type SiteDto } from './site-dto.js';
import * as repo from './sites.repo.js';
import type { SiteRow } from './sites.repo.js';

export type { SiteRow, SiteDto };

/** Site objects with their presence (has_pulse, last_seen_*), one Redis round trip for all. */
export async function toDtos(deps: Deps, rows: SiteRow[]): Promise<SiteDto[]> {
  const presence = await presenceOf(deps, rows);
  return rows.map((s) => siteDto(s, presence.get(s.id)));
}

async function toDto(deps: Deps, s: SiteRow): Promise<SiteDto> {
  return (await toDtos(deps, [s]))[0]!;
}

/** The org's site, or a 404 (another org's site is indistinguishable from a missing one). */
export async function requireSite(deps: Deps, org: string, siteId: string): Promise<SiteRow> {
  const site = await repo.findForOrg(deps.db, org, siteId);
  if (!site) throw new AppError('site_not_found');
  return site;
}

/** A site by id for device-authenticated paths, or null if it no longer exists. */
export function findSite(deps: Deps, siteId: string): Promise<SiteRow | null> {
  return repo.findById(deps.db, siteId);
}

export async function createSite(deps: Deps, by: Actor, input: { name: string }): Promise<SiteDto & { token: string }> {
  const site = await auditedPrisma(deps, by, (tx) => repo.create(tx, { id: newId(), orgId: by.org, name: input.name }), (s) => ({
    action: 'site.create',
    target: `site:${s.id}`,
    summary: { name: s.name },
  }));
  // Warming Redis is an optimisation: a site Redis does not know is restored on its first poll.
  await deps.dispatch
    .registerSite(site.id, site.tokenVersion, site.orgId)
    .catch((err: unknown) => deps.log.warn({ err, siteId: site.id }, 'site not warmed in redis'));
  return { ...siteDto(site), token: deps.deviceTokens.issue({ siteId: site.id, tokenVersion: site.tokenVersion }) };
}

export async function getSite(deps: Deps, org: string, siteId: string): Promise<SiteDto> {
  return toDto(deps, await requireSite(deps, org, siteId));
}

export async function listSites(deps: Deps, org: string): Promise<SiteDto[]> {
  return toDtos(deps, await repo.listForOrg(deps.db, org));
}

/** Issues a new device token; every earlier token of the site stops working at once. */
export async function rotateToken(deps: Deps, by: Actor, siteId: string): Promise<SiteDto & { token: string }> {
  const site = await auditedPrisma(deps, by, (tx) => repo.bumpTokenVersion(tx, by.org, siteId), (s) =>
    s ? { action: 'site.rotate_token', target: `site:${s.id}`, summary: { token_version: s.tokenVersion } } : null,
  );
  if (!site) throw new AppError('site_not_found');
  await deps.dispatch.raiseTokenVersion(site.id, site.tokenVersion);
  return { ...(await toDto(deps, site)), token: deps.deviceTokens.issue({ siteId: site.id, tokenVersion: site.tokenVersion }) };
}
