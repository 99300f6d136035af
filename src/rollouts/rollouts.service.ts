import { auditedSql, scriptDigest, urlOrigin, type Actor } from '../audit/audit.service.js';
import type { SqlClient } from '../db/sql.js';
import { AppError } from '../errors.js';
import * as jobs from '../jobs/jobs.service.js';
import { encodeKeyset, pageOf, type Keyset, type Page } from '../lib/cursor.js';
import { newId } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import * as sites from '../sites/sites.service.js';
import { launch, publishRollout, scheduleStep, stepRollout } from './progress.service.js';
import * as repo from './rollouts.repo.js';
import type { RolloutRow } from './rollouts.repo.js';
import { TARGET_STATES, type CreateRolloutBody, type RolloutDto, type RolloutTargetDto, type TargetStateName } from './rollouts.schema.js';

export { stepRollout };
export type { StepResult } from './progress.service.js';
export { sweepRollouts } from './progress.service.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toDto(r: RolloutRow, counts: { state: string; n: number }[]): RolloutDto {
  const c = Object.fromEntries(TARGET_STATES.map((s) => [s, 0])) as Record<TargetStateName, number>;
  let total = 0;
  for (const { state, n } of counts) {
    if (state in c) c[state as TargetStateName] += n;
    total += n;
  }
  return {
    id: r.id, description: r.description, script: r.script, targets: r.targets, canary_site_ids: r.canarySiteIds,
    make_backup: r.makeBackup, rollback_after_seconds: r.rollbackAfterSeconds, notify_url: r.notifyUrl, batch_size: r.batchSize, batch_interval_seconds: r.batchIntervalSeconds,
    max_failures: r.maxFailures, max_failure_ratio: r.maxFailureRatio, skip_offline: r.skipOffline,
    requires_approval: r.requiresApproval, launch_at: iso(r.launchAt), state: r.state, pause_reason: r.pauseReason,
    batches: r.batches, next_batch_at: r.state === 'running' ? iso(r.nextBatchAt) : null, created_by: r.createdBy,
    approved_by: r.approvedBy, created_at: r.createdAt.toISOString(), approved_at: iso(r.approvedAt),
    started_at: iso(r.startedAt), finished_at: iso(r.finishedAt), counts: { ...c, total },
  };
}

/** Rollouts as the API shows them, with their counts (one query for all of them). */
async function withCounts(deps: Deps, rows: RolloutRow[]): Promise<RolloutDto[]> {
  const counts = await repo.countsByState(deps.sql, rows.map((r) => r.id));
  return rows.map((r) => toDto(r, counts.filter((c) => c.rolloutId === r.id)));
}

const withCountsOne = async (deps: Deps, r: RolloutRow): Promise<RolloutDto> => (await withCounts(deps, [r]))[0]!;

/** The rollout as the audit log shows it: the script by digest, the notify URL by origin. */
function summary(b: CreateRolloutBody): Record<string, unknown> {
  return {
    description: b.description, ...scriptDigest(b.script), targets: b.targets, canaries: b.canary_site_ids.length,
    batch_size: b.batch_size, batch_interval_seconds: b.batch_interval_seconds, max_failures: b.max_failures ?? null,
    max_failure_ratio: b.max_failure_ratio ?? null, skip_offline: b.skip_offline, requires_approval: b.requires_approval,
    launch_at: b.launch_at ?? null, make_backup: b.make_backup, rollback_after_seconds: b.rollback_after_seconds ?? null, notify_origin: urlOrigin(b.notify_url),
  };
}

/** Every site named by id (targets and canaries) must be the org's: another org's is a 404. */
async function checkNamedSites(deps: Deps, org: string, b: CreateRolloutBody): Promise<void> {
  const named = [...new Set([...(b.targets.site_ids ?? []), ...b.canary_site_ids])];
  if (named.length === 0) return;
  const found = new Set(await sites.selectSiteIds(deps, org, { site_ids: named }));
  const missing = named.find((id) => !found.has(id));
  if (missing) throw new AppError('site_not_found', { message: `No such site: ${missing}.` });
}

/**
 * Creates a rollout. Without approval and launch_at it launches at once (targets resolved in the
 * same transaction as its creation and audit event); the first batch is dispatched by the worker.
 */
export async function createRollout(deps: Deps, by: Actor, b: CreateRolloutBody): Promise<RolloutDto> {
  // The same checks as a single job's (script size for RouterOS v7, notify_url); each site's own
  // version is checked again when its batch starts.
  jobs.validateJobInput(deps, {
    idempotencyKey: newId(), description: b.description, script: b.script, needsAck: true, backup: b.make_backup,
    express: false, notifyUrl: b.notify_url, rollbackSeconds: b.rollback_after_seconds,
  });
  await checkNamedSites(deps, by.org, b);
  const now = new Date(deps.clock());
  const launchAt = b.launch_at === undefined ? null : new Date(b.launch_at);
  const due = launchAt === null || launchAt <= now;
  const r = await auditedSql(deps, by, async (tx) => {
    const created = await repo.insert(tx, {
      id: newId(), orgId: by.org, description: b.description, script: b.script, makeBackup: b.make_backup || b.rollback_after_seconds !== undefined,
      rollbackAfterSeconds: b.rollback_after_seconds ?? null, notifyUrl: b.notify_url,
      targets: b.targets, canarySiteIds: b.canary_site_ids, batchSize: b.batch_size, batchIntervalSeconds: b.batch_interval_seconds,
      maxFailures: b.max_failures ?? null, maxFailureRatio: b.max_failure_ratio ?? null, skipOffline: b.skip_offline,
      requiresApproval: b.requires_approval, launchAt, state: b.requires_approval ? 'pending_approval' : 'scheduled',
      createdBy: by.actor, createdAt: now,
    });
    if (b.requires_approval || !due) return created;
    return launchOrRefuse(deps, tx, created, now);
  }, (x) => ({ action: 'rollout.create', target: `rollout:${x.id}`, summary: summary(b) }));
  if (r.state === 'running' || r.state === 'scheduled') await scheduleStep(deps, r.id, r.state === 'running' ? now : launchAt!, 'launch');
  await publishRollout(deps, r);
  deps.log.info({ rolloutId: r.id, org: by.org, state: r.state }, 'rollout created');
  return withCountsOne(deps, r);
}

async function launchOrRefuse(deps: Deps, tx: SqlClient, r: RolloutRow, now: Date): Promise<RolloutRow> {
  const { rollout, targets } = await launch(deps, tx, r, now);
  if (targets === 0) throw new AppError('rollout_no_targets');
  return rollout;
}

export async function getRollout(deps: Deps, org: string, id: string): Promise<RolloutDto> {
  const r = await repo.find(deps.sql, org, id);
  if (!r) throw new AppError('rollout_not_found');
  return withCountsOne(deps, r);
}

/** A page of the org's rollouts, newest first, each with its counts. */
export async function listRollouts(deps: Deps, org: string, q: { limit: number; cursor?: Keyset | undefined }): Promise<Page<RolloutDto>> {
  const rows = await repo.listPage(deps.sql, org, q.limit + 1, q.cursor ?? null);
  const page = pageOf(rows, q.limit, (r) => encodeKeyset({ at: r.createdAt, key: r.id }));
  return { items: await withCounts(deps, page.items), nextCursor: page.nextCursor };
}

/** A page of the rollout's targets in launch order, optionally of one state. */
export async function listTargets(
  deps: Deps,
  org: string,
  id: string,
  q: { limit: number; cursor?: number | undefined; state?: TargetStateName | undefined },
): Promise<Page<RolloutTargetDto>> {
  await getRolloutRow(deps, org, id);
  const rows = await repo.listTargets(deps.sql, id, q.state ?? null, q.limit + 1, q.cursor ?? null);
  const page = pageOf(rows, q.limit, (t) => String(t.position));
  return {
    items: page.items.map((t) => ({
      site_id: t.siteId, position: t.position, canary: t.canary, batch: t.batch, state: t.state as TargetStateName,
      job_id: t.jobId, reason: t.reason,
    })),
    nextCursor: page.nextCursor,
  };
}

async function getRolloutRow(deps: Deps, org: string, id: string): Promise<RolloutRow> {
  const r = await repo.find(deps.sql, org, id);
  if (!r) throw new AppError('rollout_not_found');
  return r;
}

type Action = 'approve' | 'pause' | 'resume' | 'cancel';

/**
 * Runs an operator action on the locked rollout and audits it in the same transaction; an action
 * that changes nothing (a repeat) returns the rollout and records nothing.
 */
async function act<T>(
  deps: Deps,
  by: Actor,
  id: string,
  action: Action,
  change: (tx: SqlClient, r: RolloutRow, now: Date) => Promise<{ rollout: RolloutRow; changed: boolean; extra?: T }>,
): Promise<{ rollout: RolloutRow; changed: boolean; extra?: T | undefined }> {
  const now = new Date(deps.clock());
  const done = await auditedSql(deps, by, async (tx) => {
    const r = await repo.lockRollout(tx, id, by.org);
    if (!r) throw new AppError('rollout_not_found');
    return change(tx, r, now);
  }, (x) => (x.changed ? { action: `rollout.${action}`, target: `rollout:${id}`, summary: { state: x.rollout.state } } : null));
  if (done.changed) await publishRollout(deps, done.rollout);
  return done;
}

const conflict = (r: RolloutRow, what: string): AppError =>
  new AppError('rollout_state_conflict', { message: `The rollout is ${r.state}; it cannot be ${what}.` });

/** Two-person rule: another actor than the creator moves a pending_approval rollout on. */
export async function approveRollout(deps: Deps, by: Actor, id: string): Promise<RolloutDto> {
  const { rollout } = await act(deps, by, id, 'approve', async (tx, r, now) => {
    if (r.createdBy === by.actor) throw new AppError('rollout_self_approval');
    if (r.state !== 'pending_approval') throw conflict(r, 'approved');
    const approved = await repo.update(tx, r.id, { approvedBy: by.actor, approvedAt: now, state: 'scheduled' });
    await repo.addEvent(tx, r.id, 'approved', now, { by: by.actor });
    const due = r.launchAt === null || r.launchAt <= now;
    return { rollout: due ? await launchOrRefuse(deps, tx, approved, now) : approved, changed: true };
  });
  await scheduleStep(deps, id, rollout.state === 'running' ? new Date(deps.clock()) : rollout.launchAt!, 'launch');
  return withCountsOne(deps, rollout);
}

export async function pauseRollout(deps: Deps, by: Actor, id: string): Promise<RolloutDto> {
  const { rollout } = await act(deps, by, id, 'pause', async (tx, r, now) => {
    if (r.state === 'paused') return { rollout: r, changed: false };
    if (r.state !== 'running') throw conflict(r, 'paused');
    const paused = await repo.update(tx, r.id, { state: 'paused', pauseReason: 'operator', nextBatchAt: null });
    await repo.addEvent(tx, r.id, 'paused', now, { reason: 'operator', by: by.actor });
    return { rollout: paused, changed: true };
  });
  return withCountsOne(deps, rollout);
}

/** Resumes a paused rollout; failures so far no longer count towards its thresholds. */
export async function resumeRollout(deps: Deps, by: Actor, id: string): Promise<RolloutDto> {
  const { rollout, changed } = await act(deps, by, id, 'resume', async (tx, r, now) => {
    if (r.state === 'running') return { rollout: r, changed: false };
    if (r.state !== 'paused') throw conflict(r, 'resumed');
    const { failures } = await repo.jobProgress(tx, r.id);
    const resumed = await repo.update(tx, r.id, { state: 'running', pauseReason: null, failureBaseline: failures, nextBatchAt: now });
    await repo.addEvent(tx, r.id, 'resumed', now, { by: by.actor, failures });
    return { rollout: resumed, changed: true };
  });
  if (changed) await scheduleStep(deps, id, new Date(deps.clock()), `resume-${deps.clock()}`);
  return withCountsOne(deps, rollout);
}

/** Cancels the rollout: no further batch, pending targets cancelled, its still-queued jobs cancelled. */
export async function cancelRollout(deps: Deps, by: Actor, id: string): Promise<RolloutDto> {
  const { rollout, extra } = await act(deps, by, id, 'cancel', async (tx, r, now) => {
    if (r.state === 'cancelled') return { rollout: r, changed: false };
    if (r.state === 'completed') throw conflict(r, 'cancelled');
    await repo.cancelPending(tx, r.id);
    const cancelledJobs = await jobs.cancelRolloutJobs(tx, r.id, now);
    const cancelled = await repo.update(tx, r.id, { state: 'cancelled', finishedAt: now, nextBatchAt: null, pauseReason: null });
    await repo.addEvent(tx, r.id, 'cancelled', now, { by: by.actor, jobs_cancelled: cancelledJobs.length });
    return { rollout: cancelled, changed: true, extra: cancelledJobs };
  });
  if (extra) await jobs.settleCancelled(deps, extra);
  return withCountsOne(deps, rollout);
}

/** A rollout event for its webhook, or null if it (or its rollout) no longer exists. */
export function findEventForWebhook(deps: Deps, eventId: bigint): Promise<repo.RolloutEventRow | null> {
  return repo.findEvent(deps.sql, eventId);
}

/** Records the latest webhook attempt of a rollout event. */
export function recordWebhookAttempt(deps: Deps, eventId: bigint, attempt: number, outcome: string): Promise<void> {
  return repo.recordWebhookAttempt(deps.sql, eventId, attempt, outcome);
}

/** The rollout as its webhooks carry it (with counts, without the script). */
export async function webhookRollout(deps: Deps, rolloutId: string, org: string): Promise<Omit<RolloutDto, 'script'> | null> {
  const r = await repo.find(deps.sql, org, rolloutId);
  if (!r) return null;
  const { script: _script, ...rest } = await withCountsOne(deps, r);
  return rest;
}
