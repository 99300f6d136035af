import { createHash } from 'node:crypto';
import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { AppError } from '../errors.js';
import { checkNotifyUrl } from '../jobs/jobs.service.js';
import { encodeKeyset, pageOf, type Keyset, type Page } from '../lib/cursor.js';
import { derivedId, newId } from '../lib/ids.js';
import type { Payload } from '../queues/definitions.js';
import type { Deps } from '../runtime.js';
import * as sites from '../sites/sites.service.js';
import { requestJobId } from './backups.service.js';
import * as repo from './schedules.repo.js';
import type { ScheduleRow } from './schedules.repo.js';
import { nextRuns, type CreateScheduleInput, type ScheduleDto } from './schedules.schema.js';

// Scheduled backups (docs/backups.md, "Schedules"). A maintenance tick finds the schedules that
// are due and, per schedule, in one transaction: resolves its sites, writes one backup request per
// site to the outbox (one multi-row insert) and moves next_run_at on. Each request names a job id
// derived from (schedule, run time, site), so a repeated run creates no second job, and carries
// the time it may start: a fixed offset per site within the spread window.

/** Schedules handled per transaction; the tick loops until none is due. */
const DUE_BATCH = 20;

function toDto(r: ScheduleRow): ScheduleDto {
  return {
    id: r.id,
    site_id: r.siteId,
    tag: r.tag,
    cron: r.cron,
    time_zone: r.timeZone,
    spread_minutes: r.spreadSeconds / 60,
    notify_url: r.notifyUrl,
    next_run_at: r.nextRunAt.toISOString(),
    last_run_at: r.lastRunAt?.toISOString() ?? null,
    created_by: r.createdBy,
    created_at: r.createdAt.toISOString(),
  };
}

/** The first run time of the pattern strictly after `after`. */
function nextRunAfter(s: Pick<ScheduleRow, 'cron' | 'timeZone'>, after: Date): Date {
  const [next] = nextRuns(s.cron, s.timeZone, after, 1);
  // The schema refused patterns that never fire.
  if (!next) throw new Error(`backup schedule pattern ${s.cron} has no next run`);
  return next;
}

/** The site's fixed start offset within a run's spread window, in ms: the same on every run. */
export function spreadOffsetMs(scheduleId: string, siteId: string, spreadSeconds: number): number {
  if (spreadSeconds === 0) return 0;
  const h = createHash('sha256').update(`${scheduleId}\0${siteId}`).digest().readUInt32BE(0);
  return (h % (spreadSeconds * 1000));
}

export async function createSchedule(deps: Deps, by: Actor, input: CreateScheduleInput): Promise<ScheduleDto> {
  if (input.site_id !== undefined) await sites.requireSite(deps, by.org, input.site_id);
  checkNotifyUrl(deps, input.notify_url ?? null);
  const now = new Date(deps.clock());
  const row = await auditedPrisma(
    deps,
    by,
    (tx) =>
      repo.create(tx, {
        id: newId(),
        orgId: by.org,
        siteId: input.site_id ?? null,
        tag: input.tag ?? null,
        cron: input.cron,
        timeZone: input.time_zone,
        spreadSeconds: input.spread_minutes * 60,
        notifyUrl: input.notify_url ?? null,
        nextRunAt: nextRunAfter({ cron: input.cron, timeZone: input.time_zone }, now),
        createdBy: by.actor,
      }, now),
    (r) => ({ action: 'backup_schedule.create', target: `backup_schedule:${r.id}`,
      summary: { site_id: r.siteId, tag: r.tag, cron: r.cron, time_zone: r.timeZone } }),
  );
  return toDto(row);
}

export async function getSchedule(deps: Deps, org: string, id: string): Promise<ScheduleDto> {
  const row = await repo.findForOrg(deps.db, org, id);
  if (!row) throw new AppError('backup_schedule_not_found');
  return toDto(row);
}

export async function listSchedules(deps: Deps, org: string, q: { limit: number; cursor?: Keyset | undefined }): Promise<Page<ScheduleDto>> {
  const rows = await repo.listForOrg(deps.db, org, q.limit + 1, q.cursor ?? null);
  const page = pageOf(rows, q.limit, (r) => encodeKeyset({ at: r.createdAt, key: r.id }));
  return { items: page.items.map(toDto), nextCursor: page.nextCursor };
}

/** Deletes a schedule; backup jobs its runs already requested are not affected. */
export async function deleteSchedule(deps: Deps, by: Actor, id: string): Promise<void> {
  const row = await auditedPrisma(deps, by, (tx) => repo.remove(tx, by.org, id), (r) =>
    r ? { action: 'backup_schedule.delete', target: `backup_schedule:${r.id}`, summary: { site_id: r.siteId, tag: r.tag } } : null,
  );
  if (!row) throw new AppError('backup_schedule_not_found');
}

/**
 * Runs every due schedule once: its backup requests go to the outbox and its next run is set
 * (runs missed while no worker ran are not made up: the next one is after now).
 */
export async function runDueSchedules(deps: Deps): Promise<{ schedules: number; requests: number }> {
  let schedules = 0;
  let requests = 0;
  for (;;) {
    const now = new Date(deps.clock());
    const done = await deps.sql.transaction(async (tx) => {
      const due = await repo.lockDue(tx, now, DUE_BATCH);
      for (const s of due) {
        const runAt = s.nextRunAt;
        const rows = (await repo.targetSites(tx, s)).map(({ id: siteId }) => {
          // The idempotency key of this site's backup in this run (a UUID, as job keys are).
          const key = derivedId('tikops-backup-schedule', s.id, runAt.toISOString(), siteId);
          const jobId = requestJobId(siteId, key);
          const payload: Payload<'backup'> = {
            siteId, org: s.orgId, jobId, key, scheduleId: s.id,
            notBefore: runAt.getTime() + spreadOffsetMs(s.id, siteId, s.spreadSeconds),
            ...(s.notifyUrl !== null && { notifyUrl: s.notifyUrl }),
          };
          return { jobKey: `backup-request-${jobId}`, payload };
        });
        requests += await repo.insertRequests(tx, rows);
        await repo.markRun(tx, s.id, runAt, nextRunAfter(s, runAt > now ? runAt : now));
      }
      return due.length;
    });
    schedules += done;
    if (done < DUE_BATCH) return { schedules, requests };
  }
}
