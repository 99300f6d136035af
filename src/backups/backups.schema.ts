import { z } from 'zod';
import { uuid } from '../http/validate.js';
import { keysetQuery } from '../lib/cursor.js';

/** Most parts one backup may have (at the wrapper's 32,000-byte chunks, about 32 MB). */
export const MAX_PARTS = 1_024;
/** Largest part body: /tool fetch's http-data limit. The wrapper sends 32,000 bytes. */
export const PART_LIMIT_BYTES = 65_536;

const attempt = z.coerce.number().int().min(1).max(2_147_483_647);
const signature = z.string().min(1).max(128);

export const jobIdParams = z.object({ jobId: uuid.meta({ description: 'The UUID of the job.' }) });

export const partQuery = z.object({
  attempt,
  signature,
  part: z.coerce.number().int().min(0).max(MAX_PARTS - 1).meta({ description: '0-based part index (not signed).' }),
});

export const commitQuery = z.object({
  attempt,
  signature,
  parts: z.coerce.number().int().min(0).max(MAX_PARTS),
  length: z.coerce.number().int().min(0).max(2_147_483_647),
});

const siteId = uuid.meta({ description: 'The UUID of the site.' });
const filename = z.string().regex(/^[0-9]{1,12}\.rsc$/, 'expected <unix-seconds>.rsc');

export const siteParams = z.object({ siteId });

export const backupParams = z.object({
  siteId,
  filename: filename.meta({ description: 'The backup filename, `<unix-seconds>.rsc`.' }),
});

export const diffParams = z.object({
  siteId,
  from: filename.meta({ description: 'The older backup, `<unix-seconds>.rsc`.' }),
  to: filename.meta({ description: 'The newer backup, `<unix-seconds>.rsc`.' }),
});

/** Most sites one bulk request may name (as the product we are measured against allows). */
export const BULK_LATEST_MAX = 50;

const bulkSites = z.array(uuid).min(1).max(BULK_LATEST_MAX);

export const bulkLatestBody = z
  .object({
    sites: bulkSites.optional().meta({ description: `The sites (1–${BULK_LATEST_MAX}; duplicates count once). The product we are measured against names this field \`sites\`.` }),
    site_ids: bulkSites.optional().meta({ description: 'The same list under the name the rest of this API uses; send one of the two.' }),
  })
  .refine((b) => (b.sites === undefined) !== (b.site_ids === undefined), { message: 'send exactly one of sites and site_ids' })
  .meta({ id: 'BulkLatestBackupsRequest' });

export const listQuery = z.object(keysetQuery({ max: 500, default: 100 }));

export const requestHeaders = z.object({ 'x-idempotency-key': uuid.optional() });

export const backup = z
  .object({
    filename: filename.meta({ description: 'The backup id within the site: `<unix-seconds>.rsc`.', example: '1732567800.rsc' }),
    path: z.string().meta({ description: "The storage path, as in a job's `associated_backup`.", example: '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a/1732567800.rsc' }),
    size: z.number().int().min(0).meta({ description: 'Bytes.', example: 12598 }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'Hex SHA-256 of the content (also its ETag).' }),
    job_id: uuid.nullable().meta({ description: "The job whose pre-job step made it; null once that job is gone." }),
    created_at: z.iso.datetime().meta({ description: 'When the backup was stored.', example: '2025-10-29T12:50:00Z' }),
    checked_at: z.iso.datetime().meta({
      description: 'The last time a backup found this configuration: later backups that found it unchanged were not stored again.',
      example: '2025-11-02T03:14:00Z',
    }),
  })
  .meta({ id: 'Backup', description: 'A stored configuration export (`/export terse show-sensitive`) of a site.' });

export type BackupDto = z.infer<typeof backup>;

export const backupRequested = z
  .object({
    message: z.literal('Backup requested'),
    job: uuid.meta({ description: 'The backup job; follow it with GET /site/{siteId}/job/{jobId}.' }),
  })
  .meta({ id: 'BackupRequested', description: 'An on-demand backup was queued as a backup-only job.' });

export const latestResult = z
  .object({
    backup,
    content: z.string().meta({ description: 'The export text.' }),
  })
  .meta({ id: 'LatestBackup' });

export const bulkLatest = z
  .object({
    results: z.record(z.string(), latestResult).meta({ description: 'Per site id: its newest backup and its text.' }),
    errors: z
      .record(z.string(), z.object({ code: z.enum(['site_not_found', 'backup_not_found']), message: z.string() }))
      .meta({ description: 'Per site id without a result: why (another org\'s site is not found).' }),
    total_sites: z.number().int(),
    successful: z.number().int(),
  })
  .meta({ id: 'BulkLatestBackups', description: 'The newest backup of each site asked for.' });

export type BulkLatestDto = z.infer<typeof bulkLatest>;
