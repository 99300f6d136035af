import { z } from 'zod';
import { headerBool, uuid } from '../http/validate.js';

const description = z.string().min(3).max(100);

/** Headers of the raw form, POST /site/{siteId}/job (names lower-cased as Node delivers them). */
export const rawJobHeaders = z.object({
  'x-idempotency-key': uuid,
  'x-description': description,
  'x-needs-ack': headerBool.default(true),
  'x-backup': headerBool.default(false),
  'x-express-execute': headerBool.default(false),
});

const notifyUrl = z.url({ protocol: /^https?$/ }).max(2048);

/** Body of the JSON form, POST /api/asynchronous/{siteId}. */
export const asyncJobBody = z.strictObject({
  description,
  script: z.string(),
  make_backup: z.boolean().default(false),
  express_execute: z.boolean().default(false),
  // The documented default of this form differs from the header form's (product-api.md §3.3).
  needs_acknowledgement: z.boolean().default(false),
  notify_url: notifyUrl.nullable().default(null),
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
});

export const siteParams = z.object({ siteId: uuid });
export const jobParams = z.object({ siteId: uuid, jobId: uuid });
