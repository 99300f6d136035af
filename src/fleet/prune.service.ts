import { LOCKS, withAdvisoryLock } from '../db/lock.js';
import type { Deps } from '../runtime.js';
import * as lifecycle from '../sites/lifecycle.service.js';
import * as faults from './faults.repo.js';
import * as partitions from './sample-partitions.repo.js';
import * as samples from './samples.repo.js';
import { pruneOrgEvents } from '../webhooks/org-events.service.js';

// Fleet housekeeping, one pass per tick and singleton across workers: site_sample's daily
// partitions (today's and the next PARTITION_DAYS_AHEAD days' created; each day that ended before
// SAMPLE_RAW_RETENTION_HOURS ago rolled up into hourly rows and dropped whole, so raw samples are
// kept at least the retention and at most one day more), samples of the DEFAULT partition past the
// retention (rolled up into hourly rows as they go), rollups past
// SAMPLE_ROLLUP_RETENTION_DAYS, resolved faults past FAULT_RETENTION_DAYS, and deleted sites whose
// grace period ended. Deletes go in bounded batches so a first run over a big backlog cannot hold
// locks or a transaction for long; whatever is left waits for the next tick.

const BATCH = 10_000;
const MAX_BATCHES = 10;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Daily partitions made ahead of time, so a day of missed ticks still finds its partition. */
export const PARTITION_DAYS_AHEAD = 3;

export interface PruneReport {
  /** Raw samples rolled up into hourly rows and deleted (with their partition or one by one). */
  samples: number;
  partitions: PartitionReport;
  rollups: number;
  faults: number;
  orgEvents: number;
  purgedSites: number;
}

async function inBatches(step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await step();
    total += n;
    if (n < BATCH) break;
  }
  return total;
}

export interface PartitionReport {
  created: number;
  /** Samples moved out of the DEFAULT partition into the partitions created. */
  moved: number;
  dropped: number;
  /** Samples of the dropped partitions, rolled up into hourly rows. */
  rolledUp: number;
}

/**
 * Creates the daily partitions of `now`'s UTC day and the next PARTITION_DAYS_AHEAD days (moving
 * their samples out of DEFAULT), then rolls up and drops each partition whose whole day ended
 * before `cutoff`. Idempotent; concurrent calls take turns (LOCKS.samplePartitions).
 */
export async function maintainPartitions(deps: Pick<Deps, 'sql'>, now: number, cutoff: Date): Promise<PartitionReport> {
  const report: PartitionReport = { created: 0, moved: 0, dropped: 0, rolledUp: 0 };
  const today = partitions.utcDay(now);
  for (let i = 0; i <= PARTITION_DAYS_AHEAD; i++) {
    const moved = await partitions.createPartition(deps.sql, today + i * DAY);
    if (moved === null) continue;
    report.created++;
    report.moved += moved;
  }
  for (const day of await partitions.listPartitionDays(deps.sql)) {
    if (day + DAY > cutoff.getTime()) break;
    const n = await partitions.rollUpAndDropPartition(deps.sql, day);
    if (n === null) continue;
    report.dropped++;
    report.rolledUp += n;
  }
  return report;
}

/** One housekeeping pass; null if another worker is running one. */
export function pruneFleet(deps: Deps): Promise<PruneReport | null> {
  return withAdvisoryLock(deps.sql, LOCKS.fleetPrune, async () => {
    const now = deps.clock();
    const f = deps.config.fleet;
    const sampleCutoff = new Date(now - f.rawSampleRetentionHours * HOUR);
    const rollupCutoff = new Date(now - f.rollupRetentionDays * DAY);
    const faultCutoff = new Date(now - f.faultRetentionDays * DAY);
    const parts = await maintainPartitions(deps, now, sampleCutoff);
    return {
      samples: parts.rolledUp + (await inBatches(() => samples.pruneSamples(deps.sql, sampleCutoff, BATCH))),
      partitions: parts,
      rollups: await inBatches(() => samples.pruneRollups(deps.sql, rollupCutoff, BATCH)),
      faults: await inBatches(() => faults.pruneFaults(deps.sql, faultCutoff, BATCH)),
      // Fleet events only feed webhook deliveries, which end within WEBHOOK_RETRY_WINDOW_MS.
      orgEvents: await pruneOrgEvents(deps, new Date(now - deps.config.webhook.retryWindowMs - DAY)),
      purgedSites: await lifecycle.purgeDue(deps, 500),
    };
  });
}
