import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { newId, uuidToBase62 } from '../lib/ids.js';
import { refusedEarly, userUrlPolicy } from '../lib/outbound-url.js';
import type { Deps } from '../runtime.js';
import * as sites from '../sites/sites.service.js';
import * as repo from './jobs.repo.js';
import type { JobRow } from './jobs.repo.js';
import type { JobDto, JobEventDto } from './jobs.schema.js';
import { renderWrapper, wrapperByteLength } from '../routeros/wrapper.js';
import { MAX_ATTEMPT, type CallbackStatus } from '../tokens/callback-signature.js';

export type { JobRow, JobDto };

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
  };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function requestHash(i: JobInput, leaseSeconds: number, timeoutSeconds: number): string {
  const canonical = JSON.stringify([i.script, i.description, i.needsAck, i.backup, i.express, i.notifyUrl, leaseSeconds, timeoutSeconds]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Refuses scripts that cannot travel: NUL bytes, or a wrapped form over the /tool fetch budget. */
function checkScript(deps: Deps, input: JobInput): void {
  if (input.script.length === 0 && !input.allowEmptyScript) throw new AppError('parameter_missing', { param: 'script', message: "The 'script' parameter is required for this request." });
  if (input.script.includes('\0') || LONE_SURROGATE.test(input.script)) {
    throw new AppError('parameter_invalid', {
      param: 'script',
      message: "The 'script' parameter must be text without NUL bytes or unpaired surrogates.",
    });
  }
  const worstId = '00000000-0000-0000-0000-000000000000';
  const worstUrl = deps.signer.url(worstId, 'busy', MAX_ATTEMPT);
  const size = wrapperByteLength({
    token: '0'.repeat(22),
    // A backup job is always delivered acknowledged (see deliver), with its backup step.
    needsAck: input.needsAck || input.backup,
    urls: { busy: worstUrl, done: worstUrl, fail: worstUrl },
    script: input.script,
    remaining: 999_999_999,
    backup: input.backup ? deps.signer.backupUrls(worstId, MAX_ATTEMPT) : undefined,
  });
  if (size > deps.config.wrapperLimitBytes) {
    throw new AppError('script_too_large', {
      param: 'script',
      message: `The script is ${size - deps.config.wrapperLimitBytes} bytes too large once wrapped for delivery (limit ${deps.config.wrapperLimitBytes} bytes).`,
    });
  }
}

/** Refuses, without a DNS lookup, a notify_url no delivery could reach; the real check is at delivery time. */
function checkNotifyUrl(deps: Deps, url: string | null): void {
  const problem = url === null ? null : refusedEarly(url, userUrlPolicy(deps.config));
  if (problem) {
    throw new AppError('parameter_invalid', { param: 'notify_url', message: `The 'notify_url' parameter is invalid: ${problem}.` });
  }
}

/**
 * Creates a job (PostgreSQL first), then pushes its id to the site's Redis queue. A replayed
 * idempotency key returns the original job with created=false; a reused one is a 409.
 */
export async function createJob(
  deps: Deps,
  org: string,
  siteId: string,
  input: JobInput,
): Promise<{ job: JobDto; created: boolean }> {
  const site = await sites.requireSite(deps, org, siteId);
  if (site.deletedAt && !input.removal) throw new AppError('site_deleting');
  checkScript(deps, input);
  checkNotifyUrl(deps, input.notifyUrl);
  const leaseSeconds = input.leaseSeconds ?? deps.config.jobLeaseSeconds;
  const timeoutSeconds = input.timeoutSeconds ?? deps.config.jobTimeoutSeconds;
  const hash = requestHash(input, leaseSeconds, timeoutSeconds);
  const id = input.id ?? newId();
  const row = await repo.create(
    deps.sql,
    {
      id,
      siteId: site.id,
      orgId: site.orgId,
      token: uuidToBase62(id),
      idempotencyKey: input.idempotencyKey,
      requestHash: hash,
      description: input.description,
      script: input.script,
      expressExecute: input.express,
      needsAck: input.needsAck,
      shouldBackup: input.backup,
      notifyUrl: input.notifyUrl,
      leaseSeconds,
      timeoutSeconds,
    },
    new Date(deps.clock()),
  );
  if (!row) {
    const prior = await repo.findByIdempotencyKey(deps.sql, site.id, input.idempotencyKey);
    if (!prior) throw new AppError('internal_server_error', { message: 'idempotency conflict without a job' });
    if (prior.requestHash !== hash) throw new AppError('idempotency_key_reused', { param: 'X-Idempotency-Key' });
    return { job: toJobDto(prior), created: false };
  }
  // The row is committed: if this push fails the job is still safe, and the reconciler or the
  // site's next cold restore puts it in the queue.
  await deps.dispatch
    .enqueue(site.id, row.id)
    .catch((err: unknown) => deps.log.warn({ err, jobId: row.id }, 'job not pushed to redis; reconciler will'));
  return { job: toJobDto(row), created: true };
}

/** A job by id for internal (worker) paths that carry no tenant, or null if it no longer exists. */
export async function findJob(deps: Deps, jobId: string): Promise<JobDto | null> {
  const job = await repo.findById(deps.sql, jobId);
  return job ? toJobDto(job) : null;
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
export async function cancelJob(deps: Deps, org: string, siteId: string, jobId: string): Promise<JobDto> {
  await sites.requireSite(deps, org, siteId);
  const cancelled = await repo.cancel(deps.sql, siteId, jobId, new Date(deps.clock()));
  if (cancelled) {
    deps.metrics.transitions.inc({ to: 'cancelled' });
    // A stale id left in Redis is skipped anyway by the delivery compare-and-set.
    await deps.dispatch.dequeue(siteId, jobId).catch((err: unknown) => deps.log.warn({ err, jobId }, 'dequeue failed'));
    return toJobDto(cancelled);
  }
  const job = await repo.findBySite(deps.sql, siteId, jobId);
  if (!job) throw new AppError('job_not_found');
  if (job.state === 'cancelled') return toJobDto(job);
  throw new AppError('job_already_started');
}

/**
 * Merges a site's dispatch state from PostgreSQL into Redis; returns how many job ids were
 * pushed, or null if the site no longer exists.
 */
export async function restoreSiteDispatch(deps: Deps, siteId: string): Promise<number | null> {
  const site = await sites.findSite(deps, siteId);
  if (!site) return null;
  const { queued, inflight } = await repo.dispatchState(deps.sql, siteId);
  return deps.dispatch.restoreSite(siteId, {
    tokenVersion: site.tokenVersion,
    orgId: site.orgId,
    queued,
    run: inflight
      ? { jobId: inflight.id, claimed: inflight.state === 'started', leaseUntilMs: inflight.leaseUntil?.getTime() ?? 0 }
      : null,
  });
}

/**
 * Claims the popped job in PostgreSQL and renders its wrapper; null when the compare-and-set
 * lost (the Redis run slot is then brought in line with PostgreSQL).
 */
export async function deliver(
  deps: Deps,
  siteId: string,
  popped: { jobId: string; remaining: number; rebooted: boolean },
): Promise<string | null> {
  const { jobId, remaining } = popped;
  const job = await repo.claimDelivery(deps.sql, jobId, siteId, new Date(deps.clock()), popped.rebooted);
  if (job) {
    deps.metrics.transitions.inc({ to: 'delivered' });
    if (job.state === 'completed') deps.metrics.transitions.inc({ to: 'completed' });
    // A backup job runs acknowledged whatever needs_acknowledgement says: the server must hear the
    // backup's outcome before the payload may run (docs/backups.md).
    const acked = job.needsAck || job.shouldBackup;
    // Completed at hand-out: nothing to wait for, so the next poll may take the next job.
    if (!acked) await deps.dispatch.releaseRun(siteId, jobId);
    else if (job.leaseSeconds !== deps.config.jobLeaseSeconds && job.leaseUntil) {
      await deps.dispatch.leaseRun(siteId, jobId, job.leaseUntil.getTime());
    }
    const url = (s: CallbackStatus): string => deps.signer.url(job.id, s, job.attempt);
    return renderWrapper({
      token: job.token,
      needsAck: acked,
      urls: { busy: url('busy'), done: url('done'), fail: url('fail') },
      script: job.script,
      remaining,
      backup: job.shouldBackup ? deps.signer.backupUrls(job.id, job.attempt) : undefined,
    });
  }
  const current = await repo.findById(deps.sql, jobId);
  if (current?.siteId === siteId && current.state === 'started') await deps.dispatch.claimRun(siteId, jobId);
  else if (current?.siteId === siteId && current.state === 'delivered' && current.leaseUntil) {
    await deps.dispatch.leaseRun(siteId, jobId, current.leaseUntil.getTime());
  } else await deps.dispatch.releaseRun(siteId, jobId);
  return null;
}

export type CallbackResult = 'claimed' | 'ok';

/**
 * Mirrors a committed transition into Redis, best effort: the router must hear that PostgreSQL
 * took its callback even while Redis is away (a 5xx would make it think the claim or outcome was
 * lost). The poll script's lease check and the reconciler bring a missed mirror back in line.
 */
async function mirror(deps: Deps, apply: () => Promise<unknown>): Promise<void> {
  await apply().catch((err: unknown) => deps.log.warn({ err }, 'redis run slot not updated; reconciler will'));
}

/** Applies a verified router callback; repeats and stale attempts are harmless no-ops. */
export async function applyCallback(
  deps: Deps,
  jobId: string,
  status: CallbackStatus,
  attempt: number,
): Promise<CallbackResult> {
  const now = new Date(deps.clock());
  if (status === 'busy') {
    const started = await repo.claimStart(deps.sql, jobId, attempt, now);
    if (started) {
      deps.metrics.transitions.inc({ to: 'started' });
      await mirror(deps, () => deps.dispatch.claimRun(started.siteId, jobId));
      return 'claimed';
    }
    const job = await repo.findById(deps.sql, jobId);
    if (!job) throw new AppError('job_not_found');
    if (job.state === 'started' && job.attempt === attempt) return 'claimed';
    throw new AppError('claim_refused');
  }
  const done = await repo.finish(deps.sql, jobId, attempt, status === 'done' ? 'completed' : 'failed', now);
  if (done) {
    deps.metrics.transitions.inc({ to: done.state });
    await mirror(deps, () => deps.dispatch.releaseRun(done.siteId, jobId));
    return 'ok';
  }
  if (!(await repo.findById(deps.sql, jobId))) throw new AppError('job_not_found');
  return 'ok';
}

/** Settles a claimed job the router can no longer finish (it rebooted mid-job) as timed_out. */
export async function settleInterrupted(deps: Deps, siteId: string, jobId: string, reason: string): Promise<void> {
  const settled = await repo.timeOut(deps.sql, new Date(deps.clock()), reason, { id: jobId });
  deps.metrics.transitions.inc({ to: 'timed_out' }, settled.length);
  await deps.dispatch.releaseRun(siteId, jobId);
}

/** Settles up to `limit` claimed jobs past their deadline as timed_out; returns how many. */
export async function sweepTimeouts(deps: Deps, limit: number): Promise<number> {
  const settled = await repo.timeOut(deps.sql, new Date(deps.clock()), 'no final callback before the job timeout', { limit });
  for (const j of settled) await deps.dispatch.releaseRun(j.siteId, j.id);
  deps.metrics.transitions.inc({ to: 'timed_out' }, settled.length);
  return settled.length;
}

/**
 * Settles a claimed job whose outcome reached tikops only through the agent's `last-job` heartbeat
 * field (`<token>:ok|fail`; its done/fail callback was lost). A no-op for any job not running.
 */
export async function settleReported(deps: Deps, siteId: string, report: string): Promise<void> {
  const [token, outcome] = report.split(':');
  if (!token || (outcome !== 'ok' && outcome !== 'fail')) return;
  const job = await repo.finishReported(deps.sql, siteId, token, outcome === 'ok' ? 'completed' : 'failed', new Date(deps.clock()));
  if (!job) return;
  deps.metrics.transitions.inc({ to: job.state });
  await mirror(deps, () => deps.dispatch.releaseRun(siteId, job.id));
}
