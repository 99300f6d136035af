import type { QueuedJob } from '../redis/dispatch.js';
import type { LiveEvent } from '../redis/events.js';
import type { Deps } from '../runtime.js';
import type { JobRow } from './jobs.repo.js';
import * as repo from './jobs.repo.js';
import type { Transition } from './transitions.repo.js';

// "PostgreSQL moved, Redis follows", in one place. Every compare-and-set on a job is in
// ./transitions.repo.ts; its caller hands the result to applyTransition, which counts it, logs it
// and mirrors it into the site's Redis run slot — nothing else. The mirror is best effort: the
// router must hear that PostgreSQL took its callback even while Redis is away (a 5xx would make
// it think the claim or outcome was lost); the poll script's lease check and the reconciler bring
// a missed mirror back in line (ARCHITECTURE.md, invariants 1 and 3).

/** How a job sits in its site's Redis queue: a hand-out without acknowledgement holds no run slot. */
export function queuedJob(j: Pick<JobRow, 'id' | 'leaseSeconds' | 'needsAck' | 'shouldBackup'>): QueuedJob {
  // A backup job runs acknowledged whatever needs_acknowledgement says: the server must hear the
  // backup's outcome before the payload may run (docs/backups.md).
  return { id: j.id, leaseSeconds: j.needsAck || j.shouldBackup ? j.leaseSeconds : 0 };
}

async function mirror(deps: Deps, t: Transition): Promise<void> {
  const { id, siteId } = t.job;
  // A hand-out: the poll script already put it in the run slot with the job's own lease, or left
  // the slot free for a job that needs no acknowledgement (then it is completed at once).
  if (t.entered[0] === 'delivered') return;
  switch (t.job.state) {
    case 'queued':
    case 'delivered':
      return;
    case 'started':
      await deps.dispatch.claimRun(siteId, id);
      return;
    case 'awaiting_confirmation':
      // The slot stays held: the site's next poll gets the confirmation, nothing else runs first.
      await deps.dispatch.awaitRun(siteId, id);
      return;
    case 'cancelled':
      await deps.dispatch.dequeue(siteId, queuedJob(t.job));
      return;
    case 'completed':
    case 'failed':
    case 'timed_out':
    case 'rolled_back':
      await deps.dispatch.releaseRun(siteId, id);
      return;
  }
}

/** The live event of a job's committed change (GET /events/stream). */
export const jobEvent = (j: Pick<JobRow, 'id' | 'orgId' | 'siteId' | 'state' | 'rolloutId'>): LiveEvent => ({
  kind: 'job', org: j.orgId, site_id: j.siteId, job_id: j.id, state: j.state, rollout_id: j.rolloutId ?? null,
});

/**
 * Counts, logs and mirrors into Redis each committed transition (null: the compare-and-set lost),
 * and publishes it live. Every change of a committed job after its creation passes here, in
 * whichever process made it; creations publish in jobs.service (createJob, pushJobs).
 */
export async function applyTransition(deps: Deps, t: Transition | Transition[] | null): Promise<void> {
  const all = Array.isArray(t) ? t : t ? [t] : [];
  // Not awaited: a delivery or callback answers the router without waiting for the PUBLISH (it
  // never fails; it goes out in order on this process's connection).
  void deps.events.publish(all.map((one) => jobEvent(one.job)));
  for (const one of all) {
    if (one.entered.length === 0) continue;
    const { id, siteId, attempt } = one.job;
    for (const to of one.entered) deps.metrics.transitions.inc({ to });
    deps.log.info({ jobId: id, siteId, attempt, to: one.entered.join('→') }, 'job transition');
    await mirror(deps, one).catch((err: unknown) =>
      deps.log.warn({ err, jobId: id, siteId }, 'redis run slot not updated; reconciler will'),
    );
  }
}

/**
 * After a delivery compare-and-set lost (the popped id was cancelled, settled or pushed twice):
 * brings the site's run slot in line with what PostgreSQL says of that job.
 */
export async function alignRunSlot(deps: Deps, siteId: string, jobId: string): Promise<void> {
  const job = await repo.findById(deps.sql, jobId);
  if (job?.siteId === siteId && job.state === 'started') await deps.dispatch.claimRun(siteId, jobId);
  else if (job?.siteId === siteId && job.state === 'awaiting_confirmation') await deps.dispatch.awaitRun(siteId, jobId);
  else if (job?.siteId === siteId && job.state === 'delivered' && job.leaseUntil) {
    await deps.dispatch.leaseRun(siteId, jobId, job.leaseUntil.getTime());
  } else await deps.dispatch.releaseRun(siteId, jobId);
}
