import { AppError } from '../errors.js';
import { encodeKeyset, pageOf, type Keyset, type Page } from '../lib/cursor.js';
import type { Deps } from '../runtime.js';
import * as sites from '../sites/sites.service.js';
import * as faults from './faults.repo.js';
import { presenceOf } from '../sites/presence.service.js';
import * as samples from './samples.repo.js';
import type { AvailabilityDto, FaultDto, StatPointDto } from './fleet.schema.js';

// The read side of fleet health: faults, resource stats and 24-hour availability of one site.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Ranges longer than this come back aggregated per hour (README.md, "Onboarding and fleet health"). */
const RAW_LIMIT_MS = 48 * HOUR;
const MAX_RANGE_MS = 366 * DAY;

const DESCRIBE: Record<faults.FaultType, { severity: FaultDto['severity']; title: string; cause: string }> = {
  site_offline: { severity: 'critical', title: 'Site Offline', cause: 'Disconnected' },
  site_rebooted: { severity: 'low', title: 'Site Rebooted', cause: 'Uptime went backwards' },
  config_rolled_back: { severity: 'high', title: 'Configuration Rolled Back', cause: 'A safe-apply job was not confirmed in time, so the router restored its backup' },
};

function faultDto(f: faults.FaultRow, siteName: string, now: number): FaultDto {
  const d = DESCRIBE[f.type];
  const end = f.resolvedAt?.getTime() ?? now;
  return {
    id: f.id,
    site_id: f.siteId,
    type: f.type,
    status: f.resolvedAt ? 'resolved' : 'unresolved',
    severity: d.severity,
    message: `${d.title}: ${siteName}`,
    cause: d.cause,
    created_at: f.createdAt.toISOString(),
    resolved_at: f.resolvedAt?.toISOString() ?? null,
    detected_at: f.detectedAt.toISOString(),
    duration_seconds: Math.max(0, Math.round((end - f.createdAt.getTime()) / 1000)),
  };
}

/** A page of the site's faults, newest first. */
export async function listFaults(
  deps: Deps,
  org: string,
  siteId: string,
  q: { limit: number; cursor?: Keyset | undefined; status: 'resolved' | 'unresolved' | null },
): Promise<Page<FaultDto>> {
  const site = await sites.requireSite(deps, org, siteId);
  const rows = await faults.listBySite(deps.db, site.id, { limit: q.limit + 1, after: q.cursor ?? null }, q.status);
  const page = pageOf(rows, q.limit, (f) => encodeKeyset({ at: f.createdAt, key: f.id }));
  return { items: page.items.map((f) => faultDto(f, site.name, deps.clock())), nextCursor: page.nextCursor };
}

/** A page of the org's faults across its sites, newest first. */
export async function listOrgFaults(
  deps: Deps,
  org: string,
  q: { limit: number; cursor?: Keyset | undefined; status?: 'resolved' | 'unresolved' | undefined; type?: faults.FaultType | undefined; site?: string | undefined },
): Promise<Page<FaultDto>> {
  const rows = await faults.listByOrg(deps.sql, org, { status: q.status ?? null, type: q.type ?? null, siteId: q.site ?? null },
    { limit: q.limit + 1, after: q.cursor ?? null });
  const page = pageOf(rows, q.limit, (f) => encodeKeyset({ at: f.createdAt, key: f.id }));
  return { items: page.items.map((f) => faultDto(f, f.siteName, deps.clock())), nextCursor: page.nextCursor };
}

const num = (v: number | bigint | null): number | null => (v === null ? null : Number(v));

/** Resource samples in [from, to): raw up to 48 hours, hourly averages beyond. */
export async function siteStats(deps: Deps, org: string, siteId: string, range: { from?: Date; to?: Date }): Promise<StatPointDto[]> {
  const site = await sites.requireSite(deps, org, siteId);
  const to = range.to ?? new Date(deps.clock());
  const from = range.from ?? new Date(to.getTime() - DAY);
  const span = to.getTime() - from.getTime();
  if (span <= 0) throw new AppError('parameter_invalid', { param: 'from', message: "The 'from' parameter must be before 'to'." });
  if (span > MAX_RANGE_MS) throw new AppError('parameter_invalid', { param: 'from', message: 'The range may span at most 366 days.' });
  // Raw points for short ranges whose samples are still kept raw; hourly ones otherwise.
  const rawKeptFrom = deps.clock() - deps.config.fleet.rawSampleRetentionHours * HOUR;
  const raw = span <= RAW_LIMIT_MS && from.getTime() >= rawKeptFrom;
  const rows = raw ? await samples.rawStats(deps.db, site.id, from, to) : await samples.hourlyStats(deps.sql, site.id, from, to);
  return rows.map((r) => ({
    created_at: r.at.toISOString(),
    cpu_load: num(r.cpuLoad),
    memory_free: num(r.memoryFree),
    disk_free: num(r.diskFree),
    uptime: num(r.uptime),
  }));
}

/**
 * Availability over the last 24 hours (or since the site was created): outages count from their
 * first missed heartbeat; a site that went quiet but is not swept yet counts as down already. A site
 * that never checked in has no availability to report (null), not 100 %.
 */
export async function siteAvailability(deps: Deps, org: string, siteId: string): Promise<AvailabilityDto> {
  const site = await sites.requireSite(deps, org, siteId);
  const now = deps.clock();
  const start = Math.max(now - DAY, site.createdAt.getTime());
  const presence = (await presenceOf(deps, [site])).get(site.id)!;
  const outages = await faults.outagesSince(deps.db, site.id, new Date(start));
  const spans = outages.map((f) => ({ from: f.createdAt.getTime(), to: f.resolvedAt?.getTime() ?? now }));
  if (!presence.hasPulse && presence.lastSeenAt && !outages.some((f) => f.resolvedAt === null)) {
    spans.push({ from: presence.lastSeenAt.getTime() + deps.config.fleet.heartbeatIntervalSeconds * 1000, to: now });
  }
  let down = 0;
  for (const s of spans) down += Math.max(0, Math.min(s.to, now) - Math.max(s.from, start));
  const window = now - start;
  return {
    uptime_percentage: !presence.lastSeenAt ? null : window <= 0 ? 100 : Math.round(10_000 * (1 - Math.min(down, window) / window)) / 100,
    downtime_duration_seconds: Math.round(down / 1000),
    last_status: presence.hasPulse ? 'online' : 'offline',
    last_seen_at: presence.lastSeenAt?.toISOString() ?? null,
  };
}
