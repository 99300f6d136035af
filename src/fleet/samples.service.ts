import { hostname } from 'node:os';
import type { SampleEntry } from '../redis/fleet.js';
import { parseUptime } from '../routeros/heartbeat.js';
import type { Deps } from '../runtime.js';
import { inventoryFromFacts } from '../routeros/inventory.js';
import { lastSeenRefreshMs } from '../sites/presence.service.js';
import * as repo from './samples.repo.js';

// The heartbeat write path. The poll path only appends to a Redis stream (no PostgreSQL write per
// poll); this drain moves the stream into PostgreSQL in batches through a consumer group, so any
// number of workers can share it: read a batch, write it (a few multi-row statements), and only
// then acknowledge and delete its entries. A batch written twice (crash before the ack) changes
// nothing the second time; entries a dead consumer held are claimed after STALE_MS.

const CONSUMER = `${hostname()}-${process.pid}`;
export const DRAIN_BATCH = 2_000;
const STALE_MS = 30_000;
const INT_MAX = 2_147_483_647;

export interface DrainReport {
  samples: number;
  /** Deferred sites whose latest heartbeat was moved into the stream (backpressure). */
  requeued: number;
  inserted: number;
  reboots: number;
  recovered: number;
  forgotten: number;
}

function count(v: string | undefined, max = Number.MAX_SAFE_INTEGER): number | null {
  if (v === undefined || !/^\d{1,16}$/.test(v.trim())) return null;
  const n = Number(v.trim());
  return n <= max ? n : null;
}

/** The entry's facts; anything but a flat object of strings counts as no facts (never a poison batch). */
function factsOf(e: SampleEntry): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(e.facts);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object') return {};
  return Object.fromEntries(Object.entries(parsed).filter((kv): kv is [string, string] => typeof kv[1] === 'string'));
}

function toRow(e: SampleEntry, f: Record<string, string>): repo.SampleRow {
  const up = f.uptime === undefined ? null : parseUptime(f.uptime);
  return {
    siteId: e.siteId,
    at: new Date(e.at),
    cpuLoad: count(f['cpu-load'], INT_MAX),
    memoryFree: count(f['free-memory']),
    diskFree: count(f['free-hdd-space']),
    uptime: up !== null && up <= INT_MAX ? up : null,
    rebooted: e.rebooted,
  };
}

/** Each site's latest entry of the batch: what its inventory and last-seen columns should say. */
function sightings(entries: SampleEntry[], facts: Record<string, string>[]): repo.Sighting[] {
  const latest = new Map<string, repo.Sighting>();
  entries.forEach((e, i) => {
    const cur = latest.get(e.siteId);
    if (cur && cur.at.getTime() > e.at) return;
    latest.set(e.siteId, { siteId: e.siteId, at: new Date(e.at), from: e.from, inventory: inventoryFromFacts(facts[i]!) });
  });
  return [...latest.values()];
}

async function writeBatch(deps: Deps, entries: SampleEntry[], report: DrainReport): Promise<void> {
  const facts = entries.map(factsOf);
  const rows = entries.map((e, i) => toRow(e, facts[i]!));
  const res = await repo.insertBatch(deps.sql, rows);
  await repo.updateInventory(deps.sql, sightings(entries, facts), Math.floor(lastSeenRefreshMs(deps) / 1000), new Date(deps.clock()));
  const fleet = deps.fleet;
  // Samples of purged sites: a poll raced the purge and re-warmed the site in Redis; forget it.
  await fleet.forgetSites(res.unknown);
  await fleet.ack(entries);
  for (const siteId of res.rebootedSites) deps.log.warn({ siteId, fault: 'site_rebooted' }, 'site rebooted');
  for (const siteId of res.recoveredSites) deps.log.info({ siteId, fault: 'site_offline' }, 'site back online: outage resolved');
  report.samples += entries.length;
  report.inserted += res.inserted;
  report.reboots += res.reboots;
  report.recovered += res.recovered;
  report.forgotten += res.unknown.length;
}

/** Sets the drain-lag gauges, and warns while polls are deferring samples (the drain is behind). */
async function reportLag(deps: Deps, report: DrainReport): Promise<void> {
  const [stream, deferred] = await Promise.all([deps.fleet.streamLength(), deps.fleet.deferredCount()]);
  deps.metrics.sampleBacklog.set({ kind: 'stream' }, stream);
  deps.metrics.sampleBacklog.set({ kind: 'deferred' }, deferred);
  if (deferred > 0 || report.requeued > 0) {
    deps.log.warn({ stream, deferred, requeued: report.requeued, max: deps.config.fleet.sampleStreamMax },
      'heartbeat drain is behind: polls defer samples (coalesced per site) until it catches up');
  }
}

/**
 * Moves heartbeat samples from Redis into PostgreSQL until the stream is empty or `budgetMs` is
 * spent: first entries a dead consumer left unacknowledged, then new ones, `batch` at a time.
 */
export async function drainSamples(
  deps: Deps,
  opts: { budgetMs?: number; batch?: number; staleMs?: number } = {},
): Promise<DrainReport> {
  const batch = opts.batch ?? DRAIN_BATCH;
  const until = Date.now() + (opts.budgetMs ?? 5_000);
  const fleet = deps.fleet;
  const report: DrainReport = { samples: 0, requeued: 0, inserted: 0, reboots: 0, recovered: 0, forgotten: 0 };
  const stale = await fleet.claimStale(CONSUMER, opts.staleMs ?? STALE_MS, batch);
  // A batch that keeps failing must not stop new heartbeats from being written: it stays pending
  // and is tried again after STALE_MS; if the failure is general, the new batch throws too.
  if (stale.length > 0) {
    await writeBatch(deps, stale, report).catch((err: unknown) => deps.log.warn({ err, entries: stale.length }, 'stale samples not written'));
  }
  while (Date.now() < until) {
    const { entries, more } = await fleet.readNew(CONSUMER, batch);
    if (entries.length > 0) await writeBatch(deps, entries, report);
    if (!more) {
      // Caught up: the samples polls deferred while the stream was full come next.
      const requeued = await fleet.requeueDeferred(batch);
      report.requeued += requeued;
      if (requeued === 0) break;
    }
  }
  await reportLag(deps, report);
  return report;
}
