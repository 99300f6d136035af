import type { SqlClient } from '../db/sql.js';
import * as jobs from '../jobs/jobs.service.js';
import type { JobRow } from '../jobs/jobs.service.js';
import { derivedId } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import * as sites from '../sites/sites.service.js';
import * as repo from './rollouts.repo.js';
import type { RolloutRow } from './rollouts.repo.js';

// How a rollout moves (docs/rollouts.md). One step = one transaction holding the rollout's row
// lock: it reads where the rollout stands in PostgreSQL and does the one thing that follows
// (launch, pause on a threshold, dispatch the next batch, complete). Steps are triggered by the
// rollout's jobs settling (the job_event trigger → outbox → the `rollout` queue), by delayed
// queue jobs (launch_at, the batch interval) and by a maintenance sweep of due rollouts; any of
// them may repeat or race, and the lock plus the state make a repeat a no-op. A batch's jobs have
// ids and idempotency keys derived from (rollout, site), so even a step replayed after a crash
// cannot create a second job for a site.

/** What a step leaves for after its commit: jobs to push, and when the rollout wants its next step. */
export interface StepResult {
  pushed: JobRow[];
  wakeAt: Date | null;
  /** What the step did, for the log and tests. */
  did: 'nothing' | 'launched' | 'paused' | 'dispatched' | 'completed' | 'waiting' | 'gone';
}

const NOTHING: StepResult = { pushed: [], wakeAt: null, did: 'nothing' };

/** The target selection a rollout was created with (its `targets` column and canaries). */
export type TargetSpec = sites.SiteSelectionQuery;

/**
 * Launches a rollout inside `tx` (its row locked): snapshots its targets (canaries first, each
 * site once, only the org's sites not being deleted), marks it running and records `started`.
 * Returns the rollout afterwards and how many targets it has.
 */
export async function launch(deps: Deps, tx: SqlClient, r: RolloutRow, now: Date): Promise<{ rollout: RolloutRow; targets: number }> {
  const spec = r.targets as TargetSpec;
  const selected = await sites.selectSiteIds(deps, r.orgId, spec);
  const canaries = r.canarySiteIds;
  const inOrder = [...canaries, ...selected.filter((id) => !canaries.includes(id))];
  const targets = await repo.insertTargets(tx, r.id, r.orgId, inOrder, new Set(canaries));
  const rollout = await repo.update(tx, r.id, { state: 'running', startedAt: now, nextBatchAt: now });
  await repo.addEvent(tx, r.id, 'started', now, { targets });
  return { rollout, targets };
}

/** Runs one step of the rollout; pushes its new jobs and schedules its wake-up after the commit. */
export async function stepRollout(deps: Deps, rolloutId: string): Promise<StepResult> {
  let locked: RolloutRow | null = null;
  const result = await deps.sql.transaction(async (tx) => {
    let r = await repo.lockRollout(tx, rolloutId);
    if (!r) return { ...NOTHING, did: 'gone' as const };
    locked = r;
    const now = new Date(deps.clock());
    let launched = false;
    if (r.state === 'scheduled') {
      if (r.launchAt && r.launchAt > now) return { ...NOTHING, wakeAt: r.launchAt };
      r = (await launch(deps, tx, r, now)).rollout;
      launched = true;
    }
    if (r.state !== 'running') return NOTHING;
    const step = await advance(deps, tx, r, now);
    return launched && step.did === 'waiting' ? { ...step, did: 'launched' as const } : step;
  });
  await jobs.pushJobs(deps, result.pushed);
  const after = STATE_AFTER[result.did];
  if (after && locked) await publishRollout(deps, { id: rolloutId, orgId: (locked as RolloutRow).orgId, state: after });
  if (result.wakeAt) await scheduleStep(deps, rolloutId, result.wakeAt, `at-${result.wakeAt.getTime()}`);
  if (result.did !== 'nothing' && result.did !== 'waiting') {
    deps.log.info({ rolloutId, did: result.did, jobs: result.pushed.length }, 'rollout step');
  }
  return result;
}

/** What a rollout is after a step that did something. */
const STATE_AFTER: Record<StepResult['did'], RolloutRow['state'] | null> = {
  launched: 'running', dispatched: 'running', paused: 'paused', completed: 'completed', nothing: null, waiting: null, gone: null,
};

/** Tells open dashboards (GET /events/stream) that the rollout changed, after its commit. */
export function publishRollout(deps: Deps, r: Pick<RolloutRow, 'id' | 'orgId' | 'state'>): Promise<void> {
  return deps.events.publish([{ kind: 'rollout', org: r.orgId, rollout_id: r.id, state: r.state }]);
}

/**
 * Asks for a step of the rollout at `at` (now or later) with a delayed queue job. The id makes a
 * repeated request a no-op; a request Redis loses is made good by the sweep (sweepRollouts).
 */
export async function scheduleStep(deps: Deps, rolloutId: string, at: Date, tag: string): Promise<void> {
  const delay = Math.max(0, at.getTime() - deps.clock());
  await deps.queues
    .queue('rollout')
    .add('step', { rolloutId }, { jobId: `rollout-${rolloutId}-${tag}`, delay })
    .catch((err: unknown) => deps.log.warn({ err, rolloutId }, 'rollout step not scheduled; the sweep will run it'));
}

/** Steps every rollout whose timer is due (the backstop for delayed queue jobs Redis lost). */
export async function sweepRollouts(deps: Deps): Promise<{ stepped: number }> {
  const due = await repo.due(deps.sql, new Date(deps.clock()), 100);
  for (const { id } of due) await stepRollout(deps, id);
  return { stepped: due.length };
}

/** The pause a step must make, or null. Failures count only those newer than the last resume. */
async function threshold(tx: SqlClient, r: RolloutRow, failures: number, canaryPhase: boolean): Promise<string | null> {
  const fresh = failures - r.failureBaseline;
  if (fresh <= 0) return null;
  if (canaryPhase) return 'canary_failed';
  if (r.maxFailures !== null && fresh > r.maxFailures) return 'max_failures';
  if (r.maxFailureRatio !== null && fresh / (await repo.dispatchedJobs(tx, r.id)) > r.maxFailureRatio) return 'max_failure_ratio';
  return null;
}

async function advance(deps: Deps, tx: SqlClient, r: RolloutRow, now: Date): Promise<StepResult> {
  const p = await repo.jobProgress(tx, r.id);
  const canaryPhase = r.canarySiteIds.length > 0 && r.batches === 0;
  const reason = await threshold(tx, r, p.failures, canaryPhase);
  if (reason) {
    await repo.update(tx, r.id, { state: 'paused', pauseReason: reason, nextBatchAt: null });
    await repo.addEvent(tx, r.id, 'paused', now, { reason, failures: p.failures });
    return { ...NOTHING, did: 'paused' };
  }
  // Every canary must have settled before the first batch; every batch before the next. (Canaries
  // are dispatched together before any other job, so none is pending while jobs are in flight.)
  if (p.inflight) return { ...NOTHING, did: 'waiting' };
  const { pending, canaryPending } = await repo.pendingTargets(tx, r.id);
  if (canaryPending > 0) return dispatch(deps, tx, r, now, 0);
  if (pending === 0) {
    await repo.update(tx, r.id, { state: 'completed', finishedAt: now, nextBatchAt: null });
    await repo.addEvent(tx, r.id, 'completed', now, { failures: p.failures, dispatched: await repo.dispatchedJobs(tx, r.id) });
    return { ...NOTHING, did: 'completed' };
  }
  if (r.nextBatchAt && r.nextBatchAt > now) return { ...NOTHING, wakeAt: r.nextBatchAt, did: 'waiting' };
  return dispatch(deps, tx, r, now, r.batches + 1);
}

/**
 * Dispatches batch `batch` (0 = every canary, else the next batch_size targets): offline sites
 * are recorded `skipped_offline` when asked, sites a job cannot go to `rejected` (with the code
 * job creation would answer), and the rest become ordinary jobs, created with one multi-row
 * insert in this transaction.
 */
async function dispatch(deps: Deps, tx: SqlClient, r: RolloutRow, now: Date, batch: number): Promise<StepResult> {
  const targets = await repo.nextPending(tx, r.id, batch === 0 ? r.canarySiteIds.length : r.batchSize, batch === 0);
  const skipped = r.skipOffline ? targets.filter((t) => t.offline) : [];
  const going = r.skipOffline ? targets.filter((t) => !t.offline) : targets;
  const by = { org: r.orgId, actor: r.createdBy, requestId: `rollout:${r.id}`, source: null };
  const prepared = jobs.prepareJobs(
    deps,
    going.map((t) => ({
      site: { id: t.siteId, orgId: t.orgId, softwareVersion: t.softwareVersion, deletedAt: t.deletedAt },
      input: {
        id: derivedId('rollout-job', r.id, t.siteId),
        idempotencyKey: derivedId('rollout-key', r.id, t.siteId),
        description: r.description,
        script: r.script,
        // Acknowledged, so the rollout hears each outcome (a failure can pause it).
        needsAck: true,
        backup: r.makeBackup,
        express: false,
        notifyUrl: r.notifyUrl,
        ...(r.rollbackAfterSeconds !== null && { rollbackSeconds: r.rollbackAfterSeconds }),
      },
    })),
    by,
    r.id,
  );
  const pushed = await jobs.insertJobs(tx, prepared.jobs, now);
  const rejected = new Map(prepared.rejected.map((x) => [x.siteId, x.code]));
  await repo.settleTargets(tx, r.id, batch, [
    ...skipped.map((t) => ({ siteId: t.siteId, state: 'skipped_offline' as const, jobId: null, reason: null })),
    ...going.map((t) => {
      const code = rejected.get(t.siteId);
      return code
        ? { siteId: t.siteId, state: 'rejected' as const, jobId: null, reason: code }
        : { siteId: t.siteId, state: 'dispatched' as const, jobId: derivedId('rollout-job', r.id, t.siteId), reason: null };
    }),
  ]);
  const nextBatchAt = batch === 0 ? now : new Date(now.getTime() + r.batchIntervalSeconds * 1000);
  await repo.update(tx, r.id, { batches: batch, nextBatchAt });
  await repo.addEvent(tx, r.id, 'batch_started', now, {
    batch,
    jobs: prepared.jobs.length,
    skipped_offline: skipped.length,
    rejected: prepared.rejected.length,
  });
  // The next step comes from these jobs settling; when none was created nothing would come, so
  // the rollout also wakes itself at the next batch's time.
  return { pushed, wakeAt: nextBatchAt, did: 'dispatched' };
}
