import { LOCKS, withAdvisoryLock } from '../db/lock.js';
import type { Deps } from '../runtime.js';
import * as lifecycle from '../sites/lifecycle.service.js';
import * as faults from './faults.repo.js';
import * as samples from './samples.repo.js';
import { pruneOrgEvents } from '../webhooks/org-events.service.js';

// Fleet housekeeping, one pass per tick and singleton across workers: raw samples past
// SAMPLE_RAW_RETENTION_HOURS (rolled up into hourly rows as they go) and rollups past
// SAMPLE_ROLLUP_RETENTION_DAYS, resolved faults past FAULT_RETENTION_DAYS, and deleted sites whose
// grace period ended. Deletes go in bounded batches so a first run over a big backlog cannot hold
// locks or a transaction for long; whatever is left waits for the next tick.

const BATCH = 10_000;
const MAX_BATCHES = 10;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface PruneReport {
  /** Raw samples rolled up into hourly rows and deleted. */
  samples: number;
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

/** One housekeeping pass; null if another worker is running one. */
export function pruneFleet(deps: Deps): Promise<PruneReport | null> {
  return withAdvisoryLock(deps.sql, LOCKS.fleetPrune, async () => {
    const now = deps.clock();
    const f = deps.config.fleet;
    const sampleCutoff = new Date(now - f.rawSampleRetentionHours * HOUR);
    const rollupCutoff = new Date(now - f.rollupRetentionDays * DAY);
    const faultCutoff = new Date(now - f.faultRetentionDays * DAY);
    return {
      samples: await inBatches(() => samples.pruneSamples(deps.sql, sampleCutoff, BATCH)),
      rollups: await inBatches(() => samples.pruneRollups(deps.sql, rollupCutoff, BATCH)),
      faults: await inBatches(() => faults.pruneFaults(deps.sql, faultCutoff, BATCH)),
      // Fleet events only feed webhook deliveries, which end within WEBHOOK_RETRY_WINDOW_MS.
      orgEvents: await pruneOrgEvents(deps, new Date(now - deps.config.webhook.retryWindowMs - DAY)),
      purgedSites: await lifecycle.purgeDue(deps, 500),
    };
  });
}
