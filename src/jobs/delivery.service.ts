import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Deps } from '../runtime.js';
import { dialectOf, majorOf, parseRouterOsVersion, wrapperLimitFor } from '../routeros/version.js';
import { renderConfirm } from '../routeros/rollback.js';
import { ERROR_WIRE_MAX_BYTES, OUTPUT_WIRE_MAX_BYTES, WRAPPER_END, renderWrapper, wrapperByteLength, type WrapperInput } from '../routeros/wrapper.js';
import * as sites from '../sites/sites.service.js';
import type { CallbackStatus } from '../tokens/callback-signature.js';
import * as repo from './jobs.repo.js';
import type { JobRow } from './jobs.repo.js';
import { alignRunSlot, applyTransition, queuedJob } from './transitions.js';
import * as transitions from './transitions.repo.js';
import type { OutcomeReport } from './transitions.repo.js';

// The router-facing life of a job after its creation: restoring a site's dispatch state into
// Redis, handing a popped job out, the router's callbacks, and settling jobs that will not report.

/** How long a site PostgreSQL does not have is refused from Redis alone. */
const UNKNOWN_SITE_TTL_SECONDS = 3_600;

/**
 * Merges a site's dispatch state from PostgreSQL into Redis; returns how many job ids were
 * pushed, or null if the site no longer exists.
 */
export async function restoreSiteDispatch(deps: Deps, siteId: string): Promise<number | null> {
  // A purged (or unknown) site is remembered, so its router's polls cost no query.
  if (await deps.misses.has('site', siteId)) return null;
  const site = await sites.findSite(deps, siteId);
  if (!site) {
    await deps.misses.add('site', [siteId], UNKNOWN_SITE_TTL_SECONDS);
    return null;
  }
  const { queued, inflight } = await repo.dispatchState(deps.sql, siteId);
  return deps.dispatch.restoreSite(siteId, {
    tokenVersion: site.tokenVersion,
    orgId: site.orgId,
    queued: queued.map(queuedJob),
    run: inflight
      ? {
          jobId: inflight.id,
          claimed: inflight.state === 'started' || inflight.state === 'awaiting_confirmation',
          awaiting: inflight.state === 'awaiting_confirmation',
          leaseUntilMs: inflight.leaseUntil?.getTime() ?? 0,
          leaseSeconds: inflight.leaseSeconds,
        }
      : null,
  });
}

function wrapperInput(deps: Deps, job: JobRow, attempt: number, remaining: number): WrapperInput {
  const url = (s: CallbackStatus): string => deps.signer.url(job.id, s, attempt);
  return {
    token: job.token,
    needsAck: queuedJob(job).leaseSeconds > 0,
    urls: { busy: url('busy'), done: url('done'), fail: url('fail') },
    script: job.script,
    remaining,
    backup: job.shouldBackup ? deps.signer.backupUrls(job.id, attempt) : undefined,
    rollback: job.rollbackAfterSeconds === null ? undefined : { seconds: job.rollbackAfterSeconds, trust: deps.config.routerTransport },
    verify: deps.config.routerTransport.verify,
  };
}

/**
 * The confirmation of a rollback job waiting for it (docs/rollback.md), for a poll that came after
 * its `done`; null when PostgreSQL says it waits no more (the run slot is then brought in line).
 */
export async function deliverConfirm(deps: Deps, siteId: string, popped: { jobId: string; remaining: number }): Promise<string | null> {
  const job = await repo.findById(deps.sql, popped.jobId);
  if (job?.siteId !== siteId || job.state !== 'awaiting_confirmation') {
    await alignRunSlot(deps, siteId, popped.jobId);
    return null;
  }
  const url = deps.signer.url(job.id, 'confirmed', job.attempt);
  return renderConfirm({ token: job.token, url, remaining: popped.remaining, trust: deps.config.routerTransport }, WRAPPER_END);
}

/** The router restored the configuration saved before its rollback job `token` (docs/rollback.md). */
export async function settleRolledBack(deps: Deps, siteId: string, token: string): Promise<void> {
  const moved = await transitions.rollBack(deps.sql, siteId, token, new Date(deps.clock()));
  await applyTransition(deps, moved);
  if (moved) deps.log.warn({ jobId: moved.job.id, siteId, fault: 'config_rolled_back' }, 'router rolled back a job');
}

/**
 * Why a router below v7 (`major`) cannot take this job, or null: a backup step, or a wrapper over
 * the v6 limit (the creation check knew the version only if the site had reported it).
 */
function refusal(deps: Deps, job: JobRow, remaining: number, major: number): string | null {
  if (job.shouldBackup) return 'backup_requires_v7';
  const size = wrapperByteLength(wrapperInput(deps, job, job.attempt + 1, remaining));
  return size > wrapperLimitFor(major, deps.config) ? 'too_large_for_router' : null;
}

/**
 * Claims the popped job in PostgreSQL and renders its wrapper; null when the compare-and-set
 * lost (the Redis run slot is then brought in line with PostgreSQL) or the job was refused for
 * the router that polled (`version`: what its heartbeat reported), which fails it.
 */
export async function deliver(
  deps: Deps,
  siteId: string,
  popped: { jobId: string; remaining: number; rebooted: boolean },
  version?: string,
): Promise<string | null> {
  const now = new Date(deps.clock());
  // Only a router below v7 can be refused here: creation held every job to the v7 limit, which is
  // WRAPPER_LIMIT_BYTES, so a v7 (or unknown) router's delivery stays one statement.
  const major = majorOf(version);
  const queued = major !== null && major < 7 ? await repo.findById(deps.sql, popped.jobId) : null;
  const why = queued?.siteId === siteId ? refusal(deps, queued, popped.remaining, major!) : null;
  if (why !== null) {
    const refused = await transitions.refuseDelivery(deps.sql, popped.jobId, siteId, why, now, popped.rebooted);
    await applyTransition(deps, refused);
    if (!refused) await alignRunSlot(deps, siteId, popped.jobId);
    return null;
  }
  const delivery = await transitions.claimDelivery(deps.sql, popped.jobId, siteId, now, popped.rebooted);
  if (!delivery) {
    await alignRunSlot(deps, siteId, popped.jobId);
    return null;
  }
  await applyTransition(deps, delivery);
  const input = wrapperInput(deps, delivery.job, delivery.job.attempt, popped.remaining);
  return renderWrapper(withCapture(deps, input, delivery.siteVersion));
}

/**
 * The wrapper with output capture where the router can run it: an acknowledged job, a site that
 * reported RouterOS 7.15+ (`:onerror`), capture not turned off, and room for the payload quoted
 * twice within WRAPPER_LIMIT_BYTES. Otherwise the plain wrapper: the router reports status only.
 */
function withCapture(deps: Deps, input: WrapperInput, siteVersion: string | null): WrapperInput {
  const max = Math.min(deps.config.jobOutputMaxBytes, OUTPUT_WIRE_MAX_BYTES);
  const version = siteVersion === null ? null : parseRouterOsVersion(siteVersion);
  if (!input.needsAck || max === 0 || version === null || dialectOf(version) !== 'v7') return input;
  const captured = { ...input, capture: { marker: `tikops${randomBytes(12).toString('hex')}`, maxBytes: max } };
  return wrapperByteLength(captured) <= deps.config.wrapperLimitBytes ? captured : input;
}

/** The raw report of a capturing wrapper: its POST body and the lengths it announced. */
export interface RawReport {
  body: Buffer;
  /** Bytes the payload printed (before the router cut them to its maximum). */
  outlen: number;
  /** Bytes of error text at the start of the body. */
  errlen: number;
}

/** Untrusted bytes as storable text: invalid UTF-8 and NUL become U+FFFD. */
const asText = (b: Buffer): string => b.toString('utf8').replace(/\0/g, '\uFFFD');

/** The first `max` bytes of `b`, not splitting a UTF-8 sequence. */
function cutUtf8(b: Buffer, max: number): Buffer {
  if (b.length <= max) return b;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

/** The output and error text to store from a capturing wrapper's report, cut to JOB_OUTPUT_MAX_BYTES. */
export function outcomeReport(deps: Deps, raw: RawReport): OutcomeReport {
  const errlen = Math.min(raw.errlen, raw.body.length, ERROR_WIRE_MAX_BYTES);
  const error = asText(raw.body.subarray(0, errlen)).replace(/\s+$/, '');
  const sent = raw.body.subarray(errlen);
  const kept = cutUtf8(sent, deps.config.jobOutputMaxBytes);
  return { output: asText(kept), error: error === '' ? null : error, truncated: raw.outlen > kept.length };
}

/**
 * `claimed` only for the one busy call that moved the job to started: a repeated busy for the same
 * attempt (a wrapper re-run by hand, a replayed URL) answers `already_claimed`, which the wrapper
 * does not accept, so the payload runs at most once per delivery.
 */
export type CallbackResult = 'claimed' | 'already_claimed' | 'ok';

/** Applies a verified router callback; repeats and stale attempts are harmless no-ops. */
export async function applyCallback(
  deps: Deps,
  jobId: string,
  status: CallbackStatus,
  attempt: number,
  report: OutcomeReport | null = null,
  reason: string | null = null,
): Promise<CallbackResult> {
  const now = new Date(deps.clock());
  if (status === 'confirmed') {
    const confirmed = await transitions.confirm(deps.sql, jobId, attempt, now);
    await applyTransition(deps, confirmed);
    if (!confirmed && !(await repo.findById(deps.sql, jobId))) throw new AppError('job_not_found');
    return 'ok';
  }
  if (status === 'busy') {
    const started = await transitions.claimStart(deps.sql, jobId, attempt, now);
    await applyTransition(deps, started);
    if (started) return 'claimed';
    const job = await repo.findById(deps.sql, jobId);
    if (!job) throw new AppError('job_not_found');
    if (job.state === 'started' && job.attempt === attempt) return 'already_claimed';
    throw new AppError('claim_refused');
  }
  const done = await transitions.finish(deps.sql, { id: jobId, attempt }, status === 'done' ? 'completed' : 'failed', now, report, reason);
  await applyTransition(deps, done);
  if (!done && !(await repo.findById(deps.sql, jobId))) throw new AppError('job_not_found');
  return 'ok';
}

/** Settles a claimed job the router can no longer finish (it rebooted mid-job) as timed_out. */
export async function settleInterrupted(deps: Deps, siteId: string, jobId: string, reason: string): Promise<void> {
  const settled = await transitions.timeOut(deps.sql, new Date(deps.clock()), reason, { id: jobId });
  await applyTransition(deps, settled);
  // The slot held a job PostgreSQL no longer has in flight: free it either way.
  if (settled.length === 0) await deps.dispatch.releaseRun(siteId, jobId);
}

/** Settles up to `limit` claimed jobs past their deadline as timed_out; returns how many. */
export async function sweepTimeouts(deps: Deps, limit: number): Promise<number> {
  const settled = await transitions.timeOut(deps.sql, new Date(deps.clock()), 'no final callback before the job timeout', { limit });
  await applyTransition(deps, settled);
  return settled.length;
}


/**
 * Settles a claimed job whose outcome reached tikops only through the agent's `last-job` heartbeat
 * field (its done/fail callback was lost). A no-op for any job not running.
 */
export async function settleReported(deps: Deps, siteId: string, report: { token: string; ok: boolean }): Promise<void> {
  const outcome = report.ok ? 'completed' : 'failed';
  const settled = await transitions.finish(deps.sql, { siteId, token: report.token }, outcome, new Date(deps.clock()));
  await applyTransition(deps, settled);
}
