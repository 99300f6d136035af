import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { insertFrom, scriptDigest, urlOrigin, type Actor } from '../audit/audit.service.js';
import { newId, uuidToBase62 } from '../lib/ids.js';
import type { Deps } from '../runtime.js';
import * as sites from '../sites/sites.service.js';
import * as repo from './jobs.repo.js';
import type { JobRow, NewJob } from './jobs.repo.js';
import type { SqlClient } from '../db/sql.js';
import type { SiteRow } from '../sites/sites.service.js';
import type { JobDto, JobEventDto } from './jobs.schema.js';
import { majorOf, wrapperLimitFor } from '../routeros/version.js';
import { checkNotifyUrl, checkOnce, checkScript } from './job-checks.js';
import { restoreSiteDispatch } from './delivery.service.js';
import { applyTransition, jobEvent, queuedJob } from './transitions.js';
import * as transitions from './transitions.repo.js';

export type { JobRow, JobDto };
export { checkNotifyUrl };

export interface JobInput {
  idempotencyKey: string;
  description: string;
  script: string;
  needsAck: boolean;
  backup: boolean;
  express: boolean;
  notifyUrl: string | null;
  /** Per-job limits; the configured defaults apply when absent. */
  leaseSeconds?: number | undefined;
  timeoutSeconds?: number | undefined;
  /** Safe apply (docs/rollback.md): revert unless confirmed within this many seconds; needs `backup`. */
  rollbackSeconds?: number | undefined;
  /** Internal callers only (on-demand backups, src/backups): a fixed job id, and an empty script allowed. */
  id?: string | undefined;
  allowEmptyScript?: boolean | undefined;
  /** Internal: the agent-removal job of a site being deleted (every other job is refused then). */
  removal?: boolean | undefined;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toJobDto(j: JobRow): JobDto {
  return {
    id: j.id,
    token: j.token,
    site_id: j.siteId,
    idempotency_key: j.idempotencyKey,
    description: j.description,
    express_execute: j.expressExecute,
    needs_acknowledgement: j.needsAck,
    should_backup: j.shouldBackup,
    associated_backup: j.associatedBackup,
    started_at: iso(j.startedAt),
    completed_at: iso(j.completedAt),
    failed_at: iso(j.failedAt),
    created_at: j.createdAt.toISOString(),
    log_url: `/site/${j.siteId}/job/${j.id}/events`,
    script: j.script,
    status: j.state,
    delivered_at: iso(j.deliveredAt),
    cancelled_at: iso(j.cancelledAt),
    timed_out_at: iso(j.timedOutAt),
    notify_url: j.notifyUrl,
    lease_seconds: j.leaseSeconds,
    timeout_seconds: j.timeoutSeconds,
    created_by: j.createdBy,
    output: j.output,
    error: j.error,
    output_truncated: j.outputTruncated,
    output_supported: j.outputSupported,
    rollback_after_seconds: j.rollbackAfterSeconds,
  };
}


function requestHash(i: JobInput, leaseSeconds: number, timeoutSeconds: number): string {
  // A job without rollback hashes as before, so replays of older requests still match.
  const parts: unknown[] = [i.script, i.description, i.needsAck, i.backup, i.express, i.notifyUrl, leaseSeconds, timeoutSeconds];
  if (i.rollbackSeconds !== undefined) parts.push(i.rollbackSeconds);
  const canonical = JSON.stringify(parts);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Creates a job (PostgreSQL first), then pushes its id to the site's Redis queue. A replayed
 * idempotency key returns the original job with created=false; a reused one is a 409. An
 * operator's job (`by`) records its creator and a `job.create` audit event in the same statement;
 * jobs tikops queues itself (agent removal, on-demand backups: audited by their own request) pass null.
 *
 * One statement on the happy path: the insert checks the site itself (createOnSite's guard).
 * Only when it inserts nothing does the slow path look up why, in the order the checks have
 * always answered: site_not_found, site_deleting, backup_requires_v7, the script's checks.
 */
export async function createJob(
  deps: Deps,
  org: string,
  siteId: string,
  input: JobInput,
  by: Actor | null,
): Promise<{ job: JobDto; created: boolean }> {
  // Safe apply restores the on-device backup taken after the stored one: it implies a backup.
  if (input.rollbackSeconds !== undefined) input = { ...input, backup: true };
  // PostgreSQL prints a uuid in lower case: the audit summary and Redis keys use that spelling.
  siteId = siteId.toLowerCase();
  const now = new Date(deps.clock());
  const audit = by ? insertFrom('j', by, 'job.create', 'job:', jobSummary(siteId, input)) : undefined;
  const guard = fastGuard(deps, input);
  let job = guard && newJob(deps, { id: siteId, orgId: org }, input, by);
  let result = job && guard ? await repo.create(deps.sql, job, now, guard, audit) : 'no_site';
  if (result === 'no_site') {
    const site = await sites.requireSite(deps, org, siteId);
    job = prepare(deps, site, input, by);
    // The site passed every check just now: insert whatever it has become since, as before.
    result = await repo.create(deps.sql, job, now, { allowDeleted: true, v7Only: false }, audit);
    if (result === 'no_site') throw new AppError('site_not_found');
  }
  if (result === 'conflict') return { job: await replay(deps, siteId, input.idempotencyKey, job!.requestHash), created: false };
  const row = result;
  // The row is committed: if this push fails the job is still safe, and the reconciler or the
  // site's next cold restore puts it in the queue.
  await deps.dispatch
    .enqueue(row.siteId, queuedJob(row))
    .catch((err: unknown) => deps.log.warn({ err, jobId: row.id }, 'job not pushed to redis; reconciler will'));
  await deps.events.publish([jobEvent(row)]);
  deps.log.info({ jobId: row.id, siteId: row.siteId, org: row.orgId, express: input.express, backup: input.backup }, 'job created');
  return { job: toJobDto(row), created: true };
}

/**
 * The site conditions under which `input` needs no further check (the script and notify_url
 * pass for a RouterOS v7 site or one never seen), or null when the request must take the slow
 * path (it would be refused even there, so the site decides which error comes first).
 */
function fastGuard(deps: Deps, input: JobInput): repo.SiteGuard | null {
  let size: number;
  try {
    size = checkScript(deps, input, null);
    checkNotifyUrl(deps, input.notifyUrl);
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
  const v6Fits = size <= wrapperLimitFor(6, deps.config);
  return { allowDeleted: input.removal === true, v7Only: input.backup || !v6Fits };
}

/** What a site must tell about itself for a job to be created on it. */
export type JobSite = Pick<SiteRow, 'id' | 'orgId' | 'softwareVersion' | 'deletedAt'>;

/**
 * The row `input` becomes on `site`, after every check job creation makes (the same AppErrors:
 * site_deleting, backup_requires_v7, script_too_large, parameter_invalid). No I/O.
 */
function prepare(deps: Deps, site: JobSite, input: JobInput, by: Actor | null, rolloutId: string | null = null, checked?: Map<string, AppError | null>): NewJob {
  // Safe apply restores the on-device backup taken after the stored one: it implies a backup.
  if (input.rollbackSeconds !== undefined) input = { ...input, backup: true };
  if (site.deletedAt && !input.removal) throw new AppError('site_deleting');
  const major = majorOf(site.softwareVersion);
  // The backup step needs v7 (docs/backups.md); a site never seen is checked again at delivery.
  if (input.backup && major !== null && major < 7) throw new AppError('backup_requires_v7');
  checkOnce(deps, input, major, checked);
  return newJob(deps, site, input, by, rolloutId);
}

/** The row `input` becomes on `site`, unchecked (prepare checks; the fast path's insert checks the site). */
function newJob(deps: Deps, site: Pick<JobSite, 'id' | 'orgId'>, input: JobInput, by: Actor | null, rolloutId: string | null = null): NewJob {
  const leaseSeconds = input.leaseSeconds ?? deps.config.jobLeaseSeconds;
  const timeoutSeconds = input.timeoutSeconds ?? deps.config.jobTimeoutSeconds;
  const id = input.id ?? newId();
  return {
    id,
    siteId: site.id,
    orgId: site.orgId,
    token: uuidToBase62(id),
    idempotencyKey: input.idempotencyKey,
    requestHash: requestHash(input, leaseSeconds, timeoutSeconds),
    description: input.description,
    script: input.script,
    expressExecute: input.express,
    needsAck: input.needsAck,
    shouldBackup: input.backup,
    notifyUrl: input.notifyUrl,
    leaseSeconds,
    timeoutSeconds,
    rollbackAfterSeconds: input.rollbackSeconds ?? null,
    createdBy: by?.actor ?? null,
    rolloutId,
  };
}

/**
 * Checks a job input as creation would for a site that never reported its version (RouterOS v7's
 * limits), without a site: what a rollout validates when it is created.
 */
export function validateJobInput(deps: Deps, input: JobInput): void {
  prepare(deps, { id: '00000000-0000-0000-0000-000000000000', orgId: '', softwareVersion: null, deletedAt: null }, input, null);
}

/** One job per site for bulk creation; `input` names each job's id and idempotency key. */
export interface BulkJob {
  site: JobSite;
  input: JobInput;
}

/**
 * Prepares many jobs (each through the single-job checks); a site a job cannot go to is returned
 * in `rejected` with the error code it would have answered.
 */
export function prepareJobs(
  deps: Deps,
  list: BulkJob[],
  by: Actor | null,
  rolloutId: string | null,
): { jobs: NewJob[]; rejected: { siteId: string; code: string }[] } {
  const jobs: NewJob[] = [];
  const rejected: { siteId: string; code: string }[] = [];
  const checked = new Map<string, AppError | null>();
  for (const { site, input } of list) {
    try {
      jobs.push(prepare(deps, site, input, by, rolloutId, checked));
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      rejected.push({ siteId: site.id, code: err.code });
    }
  }
  return { jobs, rejected };
}

/**
 * Inserts prepared jobs with ONE multi-row statement inside the caller's transaction `tx`; a job
 * whose id or (site, idempotency key) exists is skipped. Push the returned rows with pushJobs
 * after the commit.
 */
export function insertJobs(tx: SqlClient, jobs: NewJob[], now: Date): Promise<JobRow[]> {
  return repo.createMany(tx, jobs, now);
}

/**
 * Pushes committed jobs onto their sites' Redis queues in ONE pipeline. A lost push is repaired
 * like a single job's (the reconciler, or the site's cold restore).
 */
export async function pushJobs(deps: Deps, rows: JobRow[]): Promise<void> {
  await deps.dispatch
    .enqueueMany(rows.map((r) => ({ siteId: r.siteId, job: queuedJob(r) })))
    .catch((err: unknown) => deps.log.warn({ err, jobs: rows.length }, 'jobs not pushed to redis; reconciler will'));
  await deps.events.publish(rows.map(jobEvent));
}

/** Cancels, in `tx`, every still-queued job of a rollout; hand the result to settleCancelled after the commit. */
export function cancelRolloutJobs(tx: SqlClient, rolloutId: string, now: Date): Promise<transitions.Transition[]> {
  return transitions.cancelQueuedOfRollout(tx, rolloutId, now);
}

/** Mirrors committed cancellations into Redis (metrics, log, queue entries). */
export function settleCancelled(deps: Deps, cancelled: transitions.Transition[]): Promise<void> {
  return applyTransition(deps, cancelled);
}

/** A job as the audit log shows it: the script by digest only, the notify URL by origin only. */
function jobSummary(siteId: string, i: JobInput): Record<string, unknown> {
  return {
    site_id: siteId,
    description: i.description,
    ...scriptDigest(i.script),
    needs_acknowledgement: i.needsAck,
    backup: i.backup,
    ...(i.rollbackSeconds === undefined ? {} : { rollback_after_seconds: i.rollbackSeconds }),
    express: i.express,
    notify_origin: urlOrigin(i.notifyUrl),
  };
}

/**
 * The job an idempotent retry names. Its first request may have died between the commit and the
 * push; a job still queued is therefore restored into the site's queue, in creation order, before
 * the retry is answered (so jobs created after it are not handed out first).
 */
async function replay(deps: Deps, siteId: string, key: string, hash: string): Promise<JobDto> {
  const prior = await repo.findByIdempotencyKey(deps.sql, siteId, key);
  if (!prior) throw new AppError('internal_server_error', { message: 'idempotency conflict without a job' });
  if (prior.requestHash !== hash) throw new AppError('idempotency_key_reused', { param: 'X-Idempotency-Key' });
  // prior.siteId: the site id as stored (the request may spell it in capitals), which Redis keys use.
  if (prior.state === 'queued') await restoreSiteDispatch(deps, prior.siteId);
  return toJobDto(prior);
}

/** A job by id for internal (worker) paths that carry no tenant, or null if it no longer exists. */
export async function findJob(deps: Deps, jobId: string): Promise<JobDto | null> {
  const job = await repo.findById(deps.sql, jobId);
  return job ? toJobDto(job) : null;
}

/** The job with the org it belongs to, for workers (fair shares are per org; the org's secret signs its webhooks). */
export async function findJobWithOrg(deps: Deps, jobId: string): Promise<{ job: JobDto; org: string } | null> {
  const row = await repo.findById(deps.sql, jobId);
  return row ? { job: toJobDto(row), org: row.orgId } : null;
}

export type { NoteType } from './transitions.repo.js';

/**
 * Adds an annotation (express execute's progress) to the job's history; the job's state is not
 * touched, and the job_event trigger acts on none of these types.
 */
export async function noteJob(deps: Deps, jobId: string, type: transitions.NoteType, detail: Record<string, unknown>): Promise<void> {
  await transitions.note(deps.sql, jobId, type, detail, new Date(deps.clock()));
}

export async function getJob(deps: Deps, org: string, siteId: string, jobId: string): Promise<JobDto> {
  await sites.requireSite(deps, org, siteId);
  const job = await repo.findBySite(deps.sql, siteId, jobId);
  if (!job) throw new AppError('job_not_found');
  return toJobDto(job);
}

export async function listJobs(
  deps: Deps,
  org: string,
  siteId: string,
  page: { limit: number; cursor?: bigint | undefined },
): Promise<{ jobs: JobDto[]; nextCursor: string | null }> {
  await sites.requireSite(deps, org, siteId);
  const rows = await repo.listBySite(deps.sql, siteId, page.limit + 1, page.cursor ?? null);
  const more = rows.length > page.limit;
  const jobs = rows.slice(0, page.limit);
  return { jobs: jobs.map(toJobDto), nextCursor: more ? String(jobs[jobs.length - 1]!.seq) : null };
}

/** A page of the org's jobs across its sites, newest first. */
export async function listOrgJobs(
  deps: Deps,
  org: string,
  q: { limit: number; cursor?: bigint | undefined; status?: string | undefined; site?: string | undefined; rollout?: string | undefined; since?: Date | undefined },
): Promise<{ jobs: JobDto[]; nextCursor: string | null }> {
  const filter = { state: q.status, siteId: q.site, rolloutId: q.rollout, since: q.since };
  const rows = await repo.listByOrg(deps.sql, org, filter, q.limit + 1, q.cursor ?? null);
  const jobs = rows.slice(0, q.limit);
  return { jobs: jobs.map(toJobDto), nextCursor: rows.length > q.limit ? String(jobs[jobs.length - 1]!.seq) : null };
}

export async function listJobEvents(
  deps: Deps,
  org: string,
  siteId: string,
  jobId: string,
): Promise<JobEventDto[]> {
  await getJob(deps, org, siteId, jobId);
  const events = await repo.listEvents(deps.sql, jobId);
  return events.map((e) => ({ type: e.type as JobEventDto['type'], attempt: e.attempt, at: e.at.toISOString(), detail: e.detail ?? null }));
}

/** Cancels a job the router has not been handed; repeating it is harmless. */
export async function cancelJob(deps: Deps, by: Actor, siteId: string, jobId: string): Promise<JobDto> {
  await sites.requireSite(deps, by.org, siteId);
  const audit = insertFrom('c', by, 'job.cancel', 'job:', { site_id: siteId });
  const cancelled = await transitions.cancel(deps.sql, siteId, jobId, new Date(deps.clock()), audit);
  // A stale id left in Redis is skipped anyway by the delivery compare-and-set.
  await applyTransition(deps, cancelled);
  if (cancelled) return toJobDto(cancelled.job);
  const job = await repo.findBySite(deps.sql, siteId, jobId);
  if (!job) throw new AppError('job_not_found');
  if (job.state === 'cancelled') return toJobDto(job);
  throw new AppError('job_already_started');
}
