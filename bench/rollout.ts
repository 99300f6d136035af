import { performance } from 'node:perf_hooks';
import type { Actor } from '../src/audit/audit.service.js';
import { sql } from '../src/db/sql.js';
import { createJob } from '../src/jobs/jobs.service.js';
import { newId } from '../src/lib/ids.js';
import { createKeys } from '../src/redis/keys.js';
import { createRollout, stepRollout } from '../src/rollouts/rollouts.service.js';
import { connect, disconnect, type Deps } from '../src/runtime.js';
import { benchConfig, cleanupBench, seedFleet } from './lib/fleet.js';
import { printTable, writeResult } from './lib/report.js';

// Creating a rollout's jobs for 10,000 sites (issue 9, item 2): one rollout step dispatching
// them as one batch — one multi-row INSERT (with their `created` events) and one Redis pipeline —
// beside the single-job path (createJob: one INSERT statement and one RPUSH per job) run one at a
// time and 16 at once. Every variant is checked afterwards: PostgreSQL holds the jobs and each
// site's Redis queue holds its new entries, nothing missing, nothing twice.
//
//   npm run bench rollout        (BENCH_SITES=10000)

const SITES = Number(process.env.BENCH_SITES ?? 10_000);
const ORG = 'bench-org';
const by: Actor = { org: ORG, actor: 'cli', requestId: 'bench-rollout', source: null };
const SCRIPT = '/ip dns set cache-size=4096';

interface Row {
  path: string;
  jobs: number;
  ms: number;
  jobsPerS: number;
  sqlStatements: string;
  redisRoundTrips: string;
  verified: string;
}

async function queuedEntries(deps: Deps, siteIds: string[]): Promise<number> {
  const keys = createKeys(deps.config.redisPrefix);
  let total = 0;
  for (let i = 0; i < siteIds.length; i += 5_000) {
    const p = deps.redis.pipeline();
    for (const id of siteIds.slice(i, i + 5_000)) p.llen(keys.queue(id));
    for (const [, n] of (await p.exec()) ?? []) total += Number(n);
  }
  return total;
}

async function jobCount(deps: Deps): Promise<number> {
  return (await deps.sql.one<{ n: number }>(sql`SELECT count(*)::int AS n FROM job`))!.n;
}

/** Runs `create`, then checks PostgreSQL and Redis gained exactly `SITES` jobs. */
async function measure(deps: Deps, siteIds: string[], path: string, counts: Pick<Row, 'sqlStatements' | 'redisRoundTrips'>, create: () => Promise<number>): Promise<Row> {
  const [jobsBefore, queuedBefore] = [await jobCount(deps), await queuedEntries(deps, siteIds)];
  const t0 = performance.now();
  const jobs = await create();
  const ms = performance.now() - t0;
  const [jobsAfter, queuedAfter] = [await jobCount(deps), await queuedEntries(deps, siteIds)];
  const ok = jobs === SITES && jobsAfter - jobsBefore === SITES && queuedAfter - queuedBefore === SITES;
  return { path, jobs, ms, jobsPerS: Math.round((jobs / ms) * 1000), ...counts, verified: ok ? 'yes' : `NO (${jobsAfter - jobsBefore} rows, ${queuedAfter - queuedBefore} queued)` };
}

/** The single-job path for every site, `parallel` at a time. */
async function perJob(deps: Deps, siteIds: string[], parallel: number): Promise<number> {
  let next = 0;
  let created = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < siteIds.length; i = next++) {
      const { created: c } = await createJob(deps, ORG, siteIds[i]!, {
        idempotencyKey: newId(), description: 'Enable DNS cache', script: SCRIPT, needsAck: true, backup: false, express: false, notifyUrl: null,
      }, by);
      if (c) created++;
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return created;
}

/** How long the dispatching step of the last rolloutBatch took (the rest is the launch: the target snapshot). */
let stepMs = 0;
/** The mean time of a step with nothing to do (every job in flight), over IDLE_STEPS. */
let idleStepMs = 0;
const IDLE_STEPS = 20;

/** A rollout over every site as one batch: creation (launch: the target snapshot) and the step that dispatches it. */
async function rolloutBatch(deps: Deps): Promise<number> {
  const r = await createRollout(deps, by, {
    description: 'Enable DNS cache', script: SCRIPT, targets: { tags: ['bench'] }, make_backup: false, notify_url: null,
    canary_site_ids: [], batch_size: SITES, batch_interval_seconds: 0, skip_offline: false, requires_approval: false,
  });
  const t0 = performance.now();
  const step = await stepRollout(deps, r.id);
  stepMs = performance.now() - t0;
  // What each settled job costs the rollout afterwards: a step that finds jobs still in flight.
  const t1 = performance.now();
  for (let i = 0; i < IDLE_STEPS; i++) await stepRollout(deps, r.id);
  idleStepMs = (performance.now() - t1) / IDLE_STEPS;
  return step.pushed.length;
}

export async function main(): Promise<void> {
  const config = benchConfig(3950);
  const fleet = await seedFleet(config, SITES, 0);
  const deps = await connect(config, 'worker');
  try {
    await deps.sql.rows(sql`UPDATE site SET tags = ARRAY['bench']`);
    // Warm-up: prepared statements and connections on both paths.
    await perJob(deps, fleet.siteIds.slice(0, 200), 16);
    const rows: Row[] = [];
    rows.push(await measure(deps, fleet.siteIds, 'rollout: create + 1 step', { sqlStatements: '1 insert', redisRoundTrips: '1 pipeline' }, () => rolloutBatch(deps)));
    rows.push({ ...rows[0]!, path: '  of which the step', ms: stepMs, jobsPerS: Math.round((SITES / stepMs) * 1000) });
    console.log(`a later step with ${SITES} jobs in flight (what each settled job costs): ${idleStepMs.toFixed(1)} ms`);
    // BENCH_ROLLOUT_BULK_ONLY=1 skips the (slow) single-job comparison.
    if (process.env.BENCH_ROLLOUT_BULK_ONLY) return report(rows, config.databasePoolSize);
    rows.push(await measure(deps, fleet.siteIds, 'createJob x N, 16 at once', { sqlStatements: `${SITES} inserts`, redisRoundTrips: `${SITES}` }, () => perJob(deps, fleet.siteIds, 16)));
    rows.push(await measure(deps, fleet.siteIds, 'createJob x N, one at a time', { sqlStatements: `${SITES} inserts`, redisRoundTrips: `${SITES}` }, () => perJob(deps, fleet.siteIds, 1)));
    report(rows, config.databasePoolSize);
  } finally {
    await disconnect(deps);
  }
}

function report(rows: Row[], pool: number): void {
  {
    printTable(`creating ${SITES} jobs, one per site (pool of ${pool})`, rows, [
      ['path', (r) => r.path],
      ['jobs', (r) => String(r.jobs)],
      ['ms', (r) => r.ms.toFixed(0)],
      ['jobs/s', (r) => String(r.jobsPerS)],
      ['SQL', (r) => r.sqlStatements],
      ['Redis', (r) => r.redisRoundTrips],
      ['verified', (r) => r.verified],
    ]);
    writeResult('rollout', { sites: SITES, rows, idleStepMs });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main().finally(cleanupBench);
