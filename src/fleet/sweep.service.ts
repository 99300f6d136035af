import { LOCKS, withAdvisoryLock } from '../db/lock.js';
import type { FleetRedis, SeenSite } from '../redis/fleet.js';
import { ALL_SHARDS } from '../redis/keys.js';
import type { Deps } from '../runtime.js';
import * as faults from './faults.repo.js';
import { offlineWindowMs } from '../sites/presence.service.js';

// Offline detection without per-site timers. Every poll scores its site in the `seen` sorted set
// with the poll time. A site is offline once its score is older than N intervals, so each sweep
// only reads the slice of `seen` between the previous sweep's cutoff (the mark) and this one's:
// the sites that went quiet since then. Its cost follows how many sites changed, not the size of
// the fleet; quiet sites stay below the mark and are never read again until they poll. `seen` is
// split into shards (src/redis/keys.ts): each round reads the next batch of every shard not yet
// done, all at once, and handles them together.

const BATCH = 1_000;

export interface SweepReport {
  /** Entries of `seen` read: the sites that went quiet since the last sweep. */
  scanned: number;
  offline: number;
  recovered: number;
  forgotten: number;
}

/** After a Redis loss (no mark), puts the sites PostgreSQL believes online back into `seen`. */
async function seedFromPostgres(deps: Deps, fleet: FleetRedis): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const page = await faults.onlineAfter(deps.db, after, 5_000);
    if (page.length === 0) return;
    await fleet.seedSeen(page.map((p) => ({ siteId: p.siteId, seenMs: p.seen.getTime() })));
    after = page[page.length - 1]!.siteId;
  }
}

async function markOffline(deps: Deps, fleet: FleetRedis, quiet: SeenSite[], report: SweepReport): Promise<void> {
  const f = deps.config.fleet;
  const { offline, unknown } = await faults.openOutages(
    deps.sql,
    quiet.map((q) => ({ siteId: q.siteId, seen: new Date(q.seenMs) })),
    f.heartbeatIntervalSeconds,
    new Date(deps.clock()),
  );
  await fleet.forgetSites(unknown);
  // A site that polled between our read and the outage commit would otherwise stay offline if
  // the drain looked for its outage before it existed: re-read the scores after the commit.
  const now = await fleet.presence(offline.map((o) => o.siteId));
  const heard = offline
    .map((o) => ({ siteId: o.siteId, seenMs: now.get(o.siteId)?.seenMs ?? null, before: o.seen.getTime() }))
    .filter((o) => o.seenMs !== null && o.seenMs > o.before)
    .map((o) => ({ siteId: o.siteId, at: new Date(o.seenMs!) }));
  const back = await faults.resolveOutages(deps.sql, heard);
  for (const o of offline) deps.log.warn({ siteId: o.siteId, fault: 'site_offline', lastSeenAt: o.seen.toISOString() }, 'site offline: outage opened');
  for (const siteId of back) deps.log.info({ siteId, fault: 'site_offline' }, 'site back online: outage resolved');
  report.recovered += back.length;
  report.offline += offline.length;
  report.forgotten += unknown.length;
}

/** Where a shard's walk of (mark, cutoff] stands; ties at a batch's last score are skipped by offset. */
interface Walk {
  shard: number;
  min: number | null;
  inclusive: boolean;
  offset: number;
}

/** The walk after a full batch `quiet` of it. */
function advance(w: Walk, quiet: SeenSite[]): Walk {
  const last = quiet[quiet.length - 1]!.seenMs;
  const atLast = quiet.filter((q) => q.seenMs === last).length;
  return { shard: w.shard, offset: w.inclusive && w.min === last ? w.offset + atLast : atLast, min: last, inclusive: true };
}

async function sweep(deps: Deps): Promise<SweepReport> {
  const fleet = deps.fleet;
  const report: SweepReport = { scanned: 0, offline: 0, recovered: 0, forgotten: 0 };
  const cutoff = deps.clock() - offlineWindowMs(deps);
  const mark = await fleet.sweepMark();
  if (mark === null) await seedFromPostgres(deps, fleet);
  let walks: Walk[] = ALL_SHARDS.map((shard) => ({ shard, min: mark, inclusive: false, offset: 0 }));
  while (walks.length > 0) {
    const batches = await Promise.all(walks.map((w) => fleet.seenBetween(w.shard, w.min, w.inclusive, cutoff, w.offset, BATCH)));
    const quiet = batches.flat();
    report.scanned += quiet.length;
    if (quiet.length > 0) await markOffline(deps, fleet, quiet, report);
    walks = walks.flatMap((w, i) => (batches[i]!.length < BATCH ? [] : [advance(w, batches[i]!)]));
  }
  if (mark === null || cutoff > mark) await fleet.setSweepMark(cutoff);
  return report;
}

/** One offline sweep, singleton across workers (advisory lock); null if another one is running. */
export function sweepOffline(deps: Deps): Promise<SweepReport | null> {
  return withAdvisoryLock(deps.sql, LOCKS.offlineSweep, () => sweep(deps));
}
