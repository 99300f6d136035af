import { createTwoFilesPatch } from 'diff';
import { LOCKS, withAdvisoryLock } from '../db/lock.js';
import { AppError } from '../errors.js';
import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import { findJobIdByKey } from '../jobs/backup-step.service.js';
import { majorOf } from '../routeros/version.js';
import { createJob } from '../jobs/jobs.service.js';
import { encodeKeyset, pageOf, type Keyset, type Page } from '../lib/cursor.js';
import { derivedId, newId } from '../lib/ids.js';
import type { Payload } from '../queues/definitions.js';
import type { Deps } from '../runtime.js';
import * as sites from '../sites/sites.service.js';
import { backupStore, type BackupMeta } from './backup-store.js';
import * as repo from './backups.repo.js';
import type { BackupDto, BulkLatestDto } from './backups.schema.js';

// Operator side of backups: list, download, request one on demand; and the worker side: create
// requested backup jobs, prune old backups and abandoned parts. The router-facing upload is in
// upload.service.ts; the design is in docs/backups.md.

const DAY_MS = 86_400_000;
/** Parts older than this belong to uploads that will never be committed. */
const STALE_PART_MS = DAY_MS;
const PRUNE_BATCH = 1_000;

function toDto(m: BackupMeta): BackupDto {
  return {
    filename: m.path.slice(m.path.indexOf('/') + 1),
    path: m.path,
    size: m.size,
    sha256: m.sha256,
    job_id: m.jobId,
    created_at: m.createdAt.toISOString(),
    checked_at: m.checkedAt.toISOString(),
  };
}

/** A page of the site's backups, newest first. */
export async function listBackups(
  deps: Deps,
  org: string,
  siteId: string,
  q: { limit: number; cursor?: Keyset | undefined },
): Promise<Page<BackupDto>> {
  const site = await sites.requireSite(deps, org, siteId);
  const rows = await backupStore(deps).list(site.id, q.limit + 1, q.cursor ?? null);
  const page = pageOf(rows, q.limit, (b) => encodeKeyset({ at: b.createdAt, key: b.path }));
  return { items: page.items.map(toDto), nextCursor: page.nextCursor };
}

/** One backup's exact content and metadata, or backup_not_found. */
export async function getBackup(
  deps: Deps,
  org: string,
  siteId: string,
  filename: string,
): Promise<{ backup: BackupDto; content: Buffer }> {
  const site = await sites.requireSite(deps, org, siteId);
  // The path is built from the authorised site, so another site's backup is unreachable.
  const found = await backupStore(deps).get(`${site.id}/${filename}`);
  if (!found) throw new AppError('backup_not_found', { param: 'filename' });
  return { backup: toDto(found.meta), content: found.content };
}

/** The site's newest backup and its text, or backup_not_found. */
export async function getLatestBackup(deps: Deps, org: string, siteId: string): Promise<{ backup: BackupDto; content: Buffer }> {
  const site = await sites.requireSite(deps, org, siteId);
  const store = backupStore(deps);
  const latest = await store.latest(site.id);
  const found = latest && (await store.get(latest.path));
  if (!found) throw new AppError('backup_not_found');
  return { backup: toDto(found.meta), content: found.content };
}

/**
 * A unified diff from backup `from` to backup `to` of one site (both `<unix-seconds>.rsc`). The
 * exports' timestamp lines are compared like any other line, so the diff shows when each was made.
 */
export async function diffBackups(deps: Deps, org: string, siteId: string, from: string, to: string): Promise<string> {
  const [a, b] = await Promise.all([getBackup(deps, org, siteId, from), getBackup(deps, org, siteId, to)]);
  return createTwoFilesPatch(a.backup.filename, b.backup.filename, a.content.toString('utf8'), b.content.toString('utf8'),
    a.backup.created_at, b.backup.created_at);
}

/** The newest backup of each of `siteIds` the org can see: results per site, and why for the rest. */
export async function latestBackups(deps: Deps, org: string, siteIds: readonly string[]): Promise<BulkLatestDto> {
  const unique = [...new Set(siteIds.map((id) => id.toLowerCase()))];
  const out: BulkLatestDto = { results: {}, errors: {}, total_sites: unique.length, successful: 0 };
  // One site at a time: at most BULK_LATEST_MAX sites, and each content is decrypted in memory.
  for (const id of unique) {
    try {
      const { backup, content } = await getLatestBackup(deps, org, id);
      out.results[id] = { backup, content: content.toString('utf8') };
      out.successful++;
    } catch (err) {
      if (!(err instanceof AppError) || (err.code !== 'site_not_found' && err.code !== 'backup_not_found')) throw err;
      out.errors[id] = { code: err.code, message: err.message };
    }
  }
  return out;
}

/** A UUID (version 8, RFC 9562) derived from the request, so a replayed key names the same job. */
export function requestJobId(siteId: string, key: string): string {
  return derivedId('tikops-backup-request', siteId, key.toLowerCase());
}

/**
 * Requests a backup now: queues the creation of a backup-only job through the outbox and the
 * `backup` queue, and returns that job's id at once. Replaying `key` returns the same job; a key
 * already used for another job of the site is a 409.
 */
export async function requestBackup(
  deps: Deps,
  by: Actor,
  siteId: string,
  key: string | undefined,
): Promise<{ message: 'Backup requested'; job: string }> {
  const site = await sites.requireSite(deps, by.org, siteId);
  // Refused now rather than by the queued creation (createJob refuses it too, and delivery).
  const major = majorOf(site.softwareVersion);
  if (major !== null && major < 7) throw new AppError('backup_requires_v7');
  const idempotencyKey = key ?? newId();
  const jobId = requestJobId(site.id, idempotencyKey);
  const existing = key === undefined ? null : await findJobIdByKey(deps, site.id, key);
  if (existing !== null && existing !== jobId) throw new AppError('idempotency_key_reused', { param: 'X-Idempotency-Key' });
  if (existing === null) {
    const payload = { siteId: site.id, org: site.orgId, jobId, key: idempotencyKey };
    await auditedPrisma(deps, by, (tx) => repo.insertRequest(tx, `backup-request-${jobId}`, payload), (queued) =>
      queued ? { action: 'backup.request', target: `site:${site.id}`, summary: { job_id: jobId } } : null,
    );
  }
  return { message: 'Backup requested', job: jobId };
}

/**
 * The `backup` queue's work: creates the requested backup job (should_backup, empty payload),
 * idempotently. Throws AppError (4xx) when it can never succeed, e.g. the site is gone.
 */
export async function createRequestedBackup(deps: Deps, p: Payload<'backup'>): Promise<{ jobId: string; created: boolean }> {
  const { job, created } = await createJob(deps, p.org, p.siteId, {
    id: p.jobId,
    idempotencyKey: p.key,
    description: p.scheduleId ? `Configuration backup (schedule ${p.scheduleId})` : 'Configuration backup (on demand)',
    script: '',
    allowEmptyScript: true,
    needsAck: true,
    backup: true,
    express: false,
    notifyUrl: p.notifyUrl ?? null,
  }, null);
  return { jobId: job.id, created };
}

/**
 * Deletes backups older than BACKUP_RETENTION_DAYS and parts of abandoned uploads, under an
 * advisory lock; null when another worker is already pruning.
 */
export function pruneBackups(deps: Deps): Promise<{ backups: number; parts: number } | null> {
  return withAdvisoryLock(deps.sql, LOCKS.backupPrune, async () => {
    const now = deps.clock();
    // Counted from checked_at: a configuration found again by a later backup is still current.
    const cutoff = new Date(now - deps.config.backup.retentionDays * DAY_MS);
    const store = backupStore(deps);
    let backups = 0;
    for (;;) {
      const n = await store.deleteOlderThan(cutoff, PRUNE_BATCH);
      backups += n;
      if (n < PRUNE_BATCH) break;
    }
    const parts = await repo.deleteStaleParts(deps.db, new Date(now - STALE_PART_MS));
    return { backups, parts };
  });
}
