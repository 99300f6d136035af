import { z } from 'zod';
import { headerBool, uuid } from '../http/validate.js';

const description = z.string().min(3).max(100);
const leaseSeconds = z.number().int().min(5).max(86_400);
const timeoutSeconds = z.number().int().min(10).max(604_800);
/** Whole seconds in a header, within the bounds of `n`. */
const headerSeconds = (n: z.ZodNumber): z.ZodPipe<z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>, z.ZodNumber> =>
  z.string().regex(/^\d{1,9}$/, 'expected whole seconds').transform(Number).pipe(n);

/** Headers of the raw form, POST /site/{siteId}/job (names lower-cased as Node delivers them). */
export const rawJobHeaders = z.object({
  'x-idempotency-key': uuid,
  'x-description': description,
  'x-needs-ack': headerBool.default(true),
  'x-backup': headerBool.default(false),
  'x-express-execute': headerBool.default(false),
  'x-lease-seconds': headerSeconds(leaseSeconds).optional(),
  'x-timeout-seconds': headerSeconds(timeoutSeconds).optional(),
});

const notifyUrl = z.url({ protocol: /^https?$/ }).max(2048);

/** Body of the JSON form, POST /api/asynchronous/{siteId}. */
export const asyncJobBody = z.strictObject({
  description,
  script: z.string(),
  make_backup: z.boolean().default(false),
  express_execute: z.boolean().default(false),
  // The documented default of this form differs from the header form's (README.md, "Using the API").
  needs_acknowledgement: z.boolean().default(false),
  notify_url: notifyUrl.nullable().default(null),
  lease_seconds: leaseSeconds.optional(),
  timeout_seconds: timeoutSeconds.optional(),
});

export const optionalIdempotencyKey = z.object({ 'x-idempotency-key': uuid.optional() });

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .regex(/^[0-9]{1,19}$/, 'expected a cursor from X-Next-Cursor')
    .transform((s) => BigInt(s))
    .optional(),
});

export const callbackQuery = z.object({
  status: z.enum(['busy', 'done', 'fail']),
  attempt: z.coerce.number().int().min(1).max(2_147_483_647),
  signature: z.string().min(1).max(128),
  /** Unsigned hint on a fail: `backup` = the pre-job backup step failed (docs/backups.md). */
  reason: z.enum(['backup']).optional(),
});

export const siteParams = z.object({ siteId: uuid });
export const jobParams = z.object({ siteId: uuid, jobId: uuid });
