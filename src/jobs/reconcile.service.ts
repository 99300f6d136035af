import { LOCKS, withAdvisoryLock } from '../db/lock.js';
import type { Deps } from '../runtime.js';
import * as repo from './jobs.repo.js';
import { restoreSiteDispatch } from './delivery.service.js';

// PostgreSQL is the truth; this pass repairs Redis where it drifted (cnpmcore / BullMQ "stalled"):
//  1. run slots that hold a job PostgreSQL has settled (a release lost to a Redis blip) are freed,
//     so the site is not blocked forever;
//  2. jobs queued in PostgreSQL but missing from their Redis queue (a crash between the commit and
//     the push, a Redis restart) are pushed again, and in-flight jobs get their run slot back.
// A job id pushed twice is harmless (every delivery is a compare-and-set in SQL), so the pass is
// safe to repeat and to race with polls. Expired delivery leases need no pass: the poll script
// itself hands an unclaimed job out again once its lease is over.

const ACTIVE = new Set<repo.JobState>(['delivered', 'started', 'awaiting_confirmation']);
const BATCH = 500;
/** Jobs younger than this may still be on their way to Redis; leave them to their creator. */
const QUEUE_GRACE_MS = 5_000;

export interface ReconcileReport {
  released: number;
  repairedSites: number;
  pushed: number;
}

/** Frees run slots whose job is no longer in flight in PostgreSQL. */
async function releaseStaleSlots(deps: Deps): Promise<number> {
  let released = 0;
  for await (const siteIds of deps.records.inflightSites(BATCH)) {
    const slots = await deps.records.inspect(siteIds);
    const held = slots.filter((s) => s.running !== null);
    for (const s of slots) if (s.running === null) await deps.records.forgetInflight(s.siteId);
    const states = new Map((await repo.statesByIds(deps.sql, held.map((s) => s.running!))).map((j) => [j.id, j]));
    for (const s of held) {
      const job = states.get(s.running!);
      if (job?.siteId === s.siteId && ACTIVE.has(job.state)) continue;
      if (await deps.dispatch.releaseRun(s.siteId, s.running!)) released++;
    }
  }
  return released;
}

/** Pushes again what PostgreSQL has queued or in flight but Redis lacks, for sites Redis knows. */
async function restoreMissing(deps: Deps): Promise<{ sites: number; pushed: number }> {
  let after: string | null = null;
  let sites = 0;
  let pushed = 0;
  const before = new Date(deps.clock() - QUEUE_GRACE_MS);
  for (;;) {
    const page = await repo.sitesWithWork(deps.sql, before, after, BATCH);
    if (page.length === 0) break;
    after = page[page.length - 1]!.siteId;
    const seen = new Map((await deps.records.inspect(page.map((w) => w.siteId))).map((s) => [s.siteId, s]));
    for (const work of page) {
      const redis = seen.get(work.siteId);
      // A site Redis does not know at all is restored whole by its next poll.
      if (!redis?.known) continue;
      const short = redis.queued < work.queued || (work.inflight !== null && redis.running === null);
      if (!short) continue;
      sites++;
      pushed += (await restoreSiteDispatch(deps, work.siteId)) ?? 0;
    }
  }
  return { sites, pushed };
}

/** One reconcile pass, under an advisory lock so concurrent workers do not repeat each other. */
export async function reconcile(deps: Deps): Promise<ReconcileReport | null> {
  return withAdvisoryLock(deps.sql, LOCKS.reconcile, async () => {
    const released = await releaseStaleSlots(deps);
    const { sites, pushed } = await restoreMissing(deps);
    return { released, repairedSites: sites, pushed };
  });
}
