import { z } from 'zod';
import { SCOPES } from '../http/auth.js';
import { uuid } from '../http/validate.js';

// POST/GET/DELETE /api-keys: requests and the key object.

const scope = z.enum(SCOPES);

export const createKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100).meta({ example: 'deploy pipeline' }),
  scopes: z
    .array(scope)
    .min(1)
    .max(SCOPES.length)
    .refine((list) => new Set(list).size === list.length, 'scopes must not repeat')
    .meta({ description: 'What the key may do; at most the scopes of the credential creating it.', example: ['sites:read', 'jobs:write'] }),
  expires_at: z.iso
    .datetime({ offset: true })
    .nullable()
    .default(null)
    .meta({ description: 'When the key stops working (in the future); null: never.' }),
});

export const keyParams = z.object({ keyId: uuid.meta({ description: 'The id of the API key.' }) });

export const apiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters of the secret, to recognise it.', example: 'tko_Xq3f9LmA' }),
    scopes: z.array(z.string()),
    created_by: z.string().meta({ description: '`key:<id>`, `jwt:<sub>` or `cli`.' }),
    created_at: z.iso.datetime(),
    expires_at: z.iso.datetime().nullable(),
    last_used_at: z.iso.datetime().nullable().meta({ description: 'Refreshed at most once a minute.' }),
    revoked_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const apiKeyWithSecret = apiKey
  .extend({ secret: z.string().meta({ description: 'The key itself (`tko_…`). Shown only in this answer; store it now.' }) })
  .meta({ id: 'ApiKeyWithSecret' });

export type ApiKeyDto = z.infer<typeof apiKey>;
export type ApiKeyWithSecretDto = z.infer<typeof apiKeyWithSecret>;
