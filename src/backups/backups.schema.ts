import { z } from 'zod';
import { uuid } from '../http/validate.js';

/** Most parts one backup may have (at the wrapper's 32,000-byte chunks, about 32 MB). */
export const MAX_PARTS = 1_024;
/** Largest part body: /tool fetch's http-data limit. The wrapper sends 32,000 bytes. */
export const PART_LIMIT_BYTES = 65_536;

const attempt = z.coerce.number().int().min(1).max(2_147_483_647);
const signature = z.string().min(1).max(128);

export const jobIdParams = z.object({ jobId: uuid });

export const partQuery = z.object({
  attempt,
  signature,
  part: z.coerce.number().int().min(0).max(MAX_PARTS - 1),
});

export const commitQuery = z.object({
  attempt,
  signature,
  parts: z.coerce.number().int().min(0).max(MAX_PARTS),
  length: z.coerce.number().int().min(0).max(2_147_483_647),
});

export const siteParams = z.object({ siteId: uuid });

export const backupParams = z.object({
  siteId: uuid,
  filename: z.string().regex(/^[0-9]{1,12}\.rsc$/, 'expected <unix-seconds>.rsc'),
});

export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

export const requestHeaders = z.object({ 'x-idempotency-key': uuid.optional() });
