import { z } from 'zod';

// GET /audit: query and the event object.

const name = z.string().min(1).max(200);

export const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .regex(/^[0-9]{1,18}$/, 'expected a cursor from X-Next-Cursor')
    .transform((s) => BigInt(s))
    .optional()
    .meta({ description: 'The X-Next-Cursor of the previous page.' }),
  action: name.optional().meta({ description: 'Only events of this action, e.g. `site.create`.', example: 'api_key.revoke' }),
  target: name.optional().meta({ description: 'Only events about this target, e.g. `site:<uuid>`.' }),
});

export const auditEvent = z
  .object({
    id: z.string().meta({ description: 'Increasing with time; the cursor of the page it ends.' }),
    actor: z.string().meta({ description: '`key:<api key id>`, `jwt:<sub>` or `cli`.', example: 'key:0b9e8f1c-2f7e-4a53-9f0c-6f3a4f3c2b1a' }),
    action: z.string().meta({ example: 'site.create' }),
    target: z.string().meta({ example: 'site:6f1c0c57-6a55-4f55-8a8b-5b7b1f1f2d11' }),
    request_id: z.string(),
    source: z.string().nullable().meta({ description: 'The client address.' }),
    summary: z.record(z.string(), z.unknown()).meta({ description: 'What changed, redacted: never a secret or a whole script.' }),
    at: z.iso.datetime(),
  })
  .meta({ id: 'AuditEvent' });

export type AuditEventDto = z.infer<typeof auditEvent>;
