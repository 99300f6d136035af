import { hardwareHash } from '../routeros/inventory.js';
import type { SitePresence } from './presence.service.js';
import type { SiteRow } from './sites.repo.js';

/** The site object (the product's field names, README.md; `purge_at` and `runbook_id` are tikops'). */
export interface SiteDto {
  id: string;
  name: string;
  has_pulse: boolean;
  last_seen_at: string | null;
  last_seen_from: string | null;
  identity: string | null;
  model: string | null;
  board_name: string | null;
  serial_number: string | null;
  routerboard: boolean | null;
  hardware_hash: string | null;
  architecture_name: string | null;
  software_version: string | null;
  software_id: string | null;
  runbook_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  purge_at: string | null;
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** Presence of a site nothing is known about yet (just created). */
export const NO_PULSE: SitePresence = { hasPulse: false, lastSeenAt: null, lastSeenFrom: null };

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
  };
}
