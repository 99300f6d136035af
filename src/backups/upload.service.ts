import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { attachBackup, failBackup, findBackupJob, type BackupFinding, type BackupJob } from '../jobs/backup-step.service.js';
import type { Deps } from '../runtime.js';
import { backupStore } from './backup-store.js';
import { configDigest } from './config-text.js';
import * as repo from './backups.repo.js';
import type { PartRow } from './backups.repo.js';

// The router-facing half of the pre-job backup (docs/backups.md): after its claim, the wrapper
// POSTs the export in parts, then commits with the part count and byte length it sent. The
// commit stores the backup only if the parts add up exactly; otherwise the job fails at once.
// Callers have verified the URL's signature, which binds job id and delivery attempt.

/** Seconds tried after the commit time when a site already has a backup named for that second. */
const PATH_TRIES = 10;

/** The job, if this delivery attempt may upload a backup now (claimed, with a backup step). */
async function requireUploader(deps: Deps, jobId: string, attempt: number): Promise<BackupJob> {
  const job = await findBackupJob(deps, jobId);
  if (!job) throw new AppError('job_not_found');
  if (!job.shouldBackup || job.attempt !== attempt || job.state !== 'started') throw new AppError('backup_refused');
  return job;
}

/** Stores one part of the attempt's export (a repeat replaces it). */
export async function uploadPart(deps: Deps, jobId: string, attempt: number, part: number, content: Buffer): Promise<'ok'> {
  const job = await requireUploader(deps, jobId, attempt);
  if (job.associatedBackup !== null) throw new AppError('backup_refused');
  const saved = await repo.savePart(deps.sql, { jobId, attempt, part, content }, deps.config.backup.maxBytes, new Date(deps.clock()));
  if (!saved) throw new AppError('backup_too_large');
  return 'ok';
}

/** Why the parts do not make up the announced export within `maxBytes`, or null if they do. */
function partsProblem(parts: PartRow[], announced: { parts: number; length: number }, maxBytes: number): string | null {
  if (announced.length === 0) return 'the export is empty';
  for (let i = 0; i < announced.parts; i++) {
    if (parts[i]?.part !== i) return `part ${i} of ${announced.parts} is missing`;
  }
  if (parts.length > announced.parts) return `${parts.length} parts arrived, ${announced.parts} were announced`;
  const total = parts.reduce((n, p) => n + p.content.length, 0);
  if (total !== announced.length) return `${total} bytes arrived, ${announced.length} were announced`;
  // Checked again here, whatever the parts' own checks let through.
  if (total > maxBytes) return `the export is ${total} bytes, over BACKUP_MAX_BYTES (${maxBytes})`;
  // An export ends with a line break; one that does not was cut short before it was sent.
  const last = parts[parts.length - 1]?.content;
  if (last?.[last.length - 1] !== 0x0a) return 'the export does not end with a line break';
  return null;
}

/** Puts the backup at `<siteId>/<unix-seconds>.rsc`, taking the next free second on a clash. */
async function storeUnique(deps: Deps, job: BackupJob, content: Buffer, digests: { sha256: string; configSha256: string }): Promise<string> {
  const store = backupStore(deps);
  const now = new Date(deps.clock());
  const seconds = Math.floor(now.getTime() / 1000);
  const meta = { siteId: job.siteId, jobId: job.id, size: content.length, ...digests, createdAt: now, checkedAt: now };
  for (let i = 0; i < PATH_TRIES; i++) {
    const path = `${job.siteId}/${seconds + i}.rsc`;
    if (await store.put(path, content, meta)) return path;
  }
  throw new Error(`no free backup path for site ${job.siteId} near ${seconds}`);
}

/**
 * Commits the attempt's upload: "stored" once the backup is stored and recorded on the job (a
 * repeat answers "stored" again). Parts that do not add up fail the job and answer 409.
 */
export async function commitBackup(
  deps: Deps,
  jobId: string,
  attempt: number,
  announced: { parts: number; length: number },
): Promise<'stored'> {
  const job = await requireUploader(deps, jobId, attempt);
  if (job.associatedBackup !== null) return 'stored';
  const parts = await repo.listParts(deps.db, jobId, attempt);
  const problem = partsProblem(parts, announced, deps.config.backup.maxBytes);
  if (problem !== null) {
    await failBackup(deps, jobId, attempt, problem, 'backup failed: truncated');
    await repo.deleteParts(deps.db, jobId);
    throw new AppError('backup_incomplete', { message: `The backup is incomplete (${problem}); the job was failed.` });
  }
  const content = Buffer.concat(parts.map((p) => p.content));
  const sha256 = createHash('sha256').update(content).digest('hex');
  const configSha256 = configDigest(content);
  const store = backupStore(deps);
  // The same configuration as the site's latest backup is not stored again: the job names that
  // backup, and the backup records that it was found again (docs/backups.md, "Change detection").
  const latest = await store.latest(job.siteId);
  const unchanged = latest !== null && latest.configSha256 === configSha256;
  const path = unchanged ? latest.path : await storeUnique(deps, job, content, { sha256, configSha256 });
  const finding: BackupFinding = unchanged ? { unchanged: true } : { unchanged: false, previous: latest?.path ?? null };
  const recorded = unchanged ? { path, size: latest.size, sha256: latest.sha256 } : { path, size: content.length, sha256 };
  if (!(await attachBackup(deps, jobId, attempt, recorded, finding))) {
    // The job moved on meanwhile (timed out, or a concurrent commit won): keep no orphan copy.
    if (!unchanged) await store.delete(path);
    const now = await findBackupJob(deps, jobId);
    if (now?.state === 'started' && now.attempt === attempt && now.associatedBackup !== null) return 'stored';
    throw new AppError('backup_refused');
  }
  if (unchanged) await store.markChecked(path, new Date(deps.clock()));
  await repo.deleteParts(deps.db, jobId);
  return 'stored';
}
