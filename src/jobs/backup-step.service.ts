import type { Deps } from '../runtime.js';
import * as repo from './jobs.repo.js';
import type { JobRow } from './jobs.repo.js';
import { applyCallback, type CallbackResult } from './delivery.service.js';
import { applyTransition } from './transitions.js';
import * as transitions from './transitions.repo.js';

// The jobs side of the pre-job backup step (docs/backups.md): what src/backups may ask of a job
// and the transitions a backup's outcome causes. src/backups reaches jobs only through here and
// jobs.service.ts.

export type { BackupFinding } from './transitions.repo.js';

export type BackupJob = Pick<JobRow, 'id' | 'siteId' | 'state' | 'attempt' | 'shouldBackup' | 'associatedBackup'>;

/** A job by id for the router-facing backup routes (the signature names it), or null. */
export function findBackupJob(deps: Deps, jobId: string): Promise<BackupJob | null> {
  return repo.findById(deps.sql, jobId);
}

/** The id of the site's job created with `key`, or null. */
export async function findJobIdByKey(deps: Deps, siteId: string, key: string): Promise<string | null> {
  return (await repo.findByIdempotencyKey(deps.sql, siteId, key))?.id ?? null;
}

/** Records the backup (stored, or the latest found unchanged) on the claimed delivery; false if the job moved on meanwhile. */
export async function attachBackup(
  deps: Deps,
  jobId: string,
  attempt: number,
  stored: { path: string; size: number; sha256: string },
  finding: transitions.BackupFinding,
): Promise<boolean> {
  const attached = await transitions.attachBackup(deps.sql, jobId, attempt, stored, finding, new Date(deps.clock()));
  await applyTransition(deps, attached);
  return attached !== null;
}

/** Fails the delivery because its backup failed (`cause` goes in the backup_failed event); false if it had moved on. */
export async function failBackup(deps: Deps, jobId: string, attempt: number, cause: string, reason?: string): Promise<boolean> {
  const failed = await transitions.failBackup(deps.sql, jobId, attempt, cause, new Date(deps.clock()), reason);
  await applyTransition(deps, failed);
  return failed !== null;
}

/**
 * The fail callback with `reason=backup`: the router's backup step failed before (or without) a
 * commit the server refused. Does exactly what a fail does, recording the reason when the job
 * had a backup step and no stored backup; otherwise it is a plain fail.
 */
export async function reportBackupFailed(deps: Deps, jobId: string, attempt: number): Promise<CallbackResult> {
  if (await failBackup(deps, jobId, attempt, 'the router could not export or upload its configuration')) return 'ok';
  return applyCallback(deps, jobId, 'fail', attempt);
}
