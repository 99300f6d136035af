import { AppError } from '../errors.js';
import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { presenceOf } from './presence.service.js';
import { encodeKeyset, pageOf, type Keyset, type Page } from '../lib/cursor.js';
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

/** RouterOS's release channels, as `/system resource` prints them after the version number. */
const CHANNELS = ['stable', 'long-term', 'testing', 'development'];

/** The stored spellings a `version=` filter matches: a bare version on any channel, or exactly. */
export function versionSpellings(v: string): string[] {
  return v.includes(' ') ? [v] : [v, ...CHANNELS.map((c) => `${v} (${c})`)];
}

export interface SiteListQuery {
  limit: number;
  cursor?: Keyset | undefined;
  tag?: string | undefined;
  status?: 'online' | 'offline' | undefined;
  version?: string | undefined;
  model?: string | undefined;
  q?: string | undefined;
  has_open_fault?: boolean | undefined;
}

/** GET /site's query parameters as the repository's filter. */
function toFilter(q: Omit<SiteListQuery, 'limit' | 'cursor'>): repo.SiteFilter {
  return {
    tag: q.tag,
    status: q.status,
    versions: q.version === undefined ? undefined : versionSpellings(q.version),
    model: q.model,
    q: q.q,
    hasOpenFault: q.has_open_fault,
  };
}

/** A page of the org's sites matching the filters, newest first. */
export async function listSites(deps: Deps, org: string, query: SiteListQuery): Promise<Page<SiteDto>> {
  const rows = await repo.listPage(deps.db, org, toFilter(query), query.limit + 1, query.cursor ?? null);
  const page = pageOf(rows, query.limit, (s) => encodeKeyset({ at: s.createdAt, key: s.id }));
  return { items: await toDtos(deps, page.items), nextCursor: page.nextCursor };
}

export interface SiteSelectionQuery {
  site_ids?: string[] | undefined;
  tags?: string[] | undefined;
  query?: Omit<SiteListQuery, 'limit' | 'cursor'> | undefined;
}

/** The org's sites (not being deleted) a selection names: ids, any of the tags, or GET /site's filters; each once, oldest first. */
export function selectSiteIds(deps: Deps, org: string, sel: SiteSelectionQuery): Promise<string[]> {
  return repo.selectIds(deps.db, org, { siteIds: sel.site_ids, tags: sel.tags, filter: sel.query && toFilter(sel.query) });
}

/** Renames, retags or replaces the metadata of the org's site (only the fields given). */
export async function updateSite(
  deps: Deps,
  by: Actor,
  siteId: string,
  input: { name?: string | undefined; tags?: string[] | undefined; metadata?: Record<string, string> | undefined },
): Promise<SiteDto> {
  const site = await auditedPrisma(deps, by, (tx) => repo.update(tx, by.org, siteId, input), (s) =>
    s ? { action: 'site.update', target: `site:${s.id}`, summary: { fields: Object.keys(input).filter((k) => k in input).sort(), name: s.name } } : null,
  );
  if (!site) throw new AppError('site_not_found');
  return toDto(deps, site);
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
