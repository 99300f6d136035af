import type { Deps } from '../runtime.js';
import type { FleetSummaryDto } from './fleet.schema.js';
import * as repo from './summary.repo.js';

// GET /fleet/summary: what the dashboard's fleet header shows, for the whole organisation.

const DAY_MS = 86_400_000;
const JOB_STATES = ['queued', 'delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out', 'awaiting_confirmation', 'rolled_back'] as const;

/** Site presence, versions, open faults and the last 24 hours' jobs of the org, in four statements. */
export async function fleetSummary(deps: Deps, org: string): Promise<FleetSummaryDto> {
  const now = deps.clock();
  const [sites, versions, faults, jobs] = await Promise.all([
    repo.siteCounts(deps.sql, org),
    repo.versionCounts(deps.db, org),
    repo.openFaultCounts(deps.db, org),
    repo.jobStateCounts(deps.db, org, new Date(now - DAY_MS)),
  ]);
  const jobCount = (s: string): number => jobs.find((j) => j.state === s)?.count ?? 0;
  return {
    sites: { total: sites.total, online: sites.online, offline: sites.total - sites.online },
    versions: versions.sort((a, b) => b.sites - a.sites || (a.version ?? '').localeCompare(b.version ?? '')),
    open_faults: {
      site_offline: faults.find((f) => f.type === 'site_offline')?.count ?? 0,
      site_rebooted: faults.find((f) => f.type === 'site_rebooted')?.count ?? 0,
    },
    jobs_last_24h: Object.fromEntries(JOB_STATES.map((s) => [s, jobCount(s)])) as FleetSummaryDto['jobs_last_24h'],
    generated_at: new Date(now).toISOString(),
  };
}
