import { z } from 'zod';

export const faultsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  status: z.enum(['resolved', 'unresolved']).optional(),
});

/** An ISO 8601 date-time with offset, or a date (midnight UTC). */
const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => new Date(s));

export const statsQuery = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
});
