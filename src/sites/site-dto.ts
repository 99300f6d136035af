import { hardwareHash } from '../routeros/inventory.js';
import type { SitePresence } from './presence.service.js';
import type { SiteRow } from './sites.repo.js';
import type { SiteDto } from './sites.schema.js';

export type { SiteDto };

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** Presence of a site nothing is known about yet (just created). */
export const NO_PULSE: SitePresence = { hasPulse: false, lastSeenAt: null, lastSeenFrom: null };

/** The stored metadata object (only PATCH /site writes it, with string values). */
function metadataOf(m: unknown): Record<string, string> {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return {};
  return Object.fromEntries(Object.entries(m).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The site's re-adoption request: approved while an approval is recorded, else pending if one was refused. */
function readoptionOf(s: SiteRow): SiteDto['readoption'] {
  if (s.readoptionRequestedAt === null) return null;
  return {
    state: s.readoptionApprovedUntil ? 'approved' : 'pending',
    requested_at: s.readoptionRequestedAt.toISOString(),
    requested_from: s.readoptionRequestedFrom,
    approved_until: iso(s.readoptionApprovedUntil),
  };
}

export function siteDto(s: SiteRow, p: SitePresence = NO_PULSE): SiteDto {
  return {
    id: s.id,
    name: s.name,
    has_pulse: p.hasPulse,
    last_seen_at: iso(p.lastSeenAt),
    last_seen_from: p.lastSeenFrom,
    identity: s.identity,
    model: s.model,
    board_name: s.boardName,
    serial_number: s.serialNumber,
    routerboard: s.routerboard,
    hardware_hash: hardwareHash(s),
    architecture_name: s.architectureName,
    software_version: s.softwareVersion,
    software_id: s.softwareId,
    runbook_id: s.runbookId,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    deleted_at: iso(s.deletedAt),
    purge_at: iso(s.purgeAt),
    readoption: readoptionOf(s),
    tags: s.tags,
    metadata: metadataOf(s.metadata),
  };
}
