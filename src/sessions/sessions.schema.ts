import { z } from 'zod';

// POST/GET/DELETE /session: the dashboard's sign-in.

export const createSessionBody = z.strictObject({
  credential: z.string().min(1).max(8192).meta({ description: 'An API key (`tko_…`) or an operator JWT; a leading `Bearer ` is ignored.' }),
});

const sessionFields = z.object({
    org: z.string(),
    actor: z.string().meta({ description: '`key:<api key id>` or `jwt:<sub>`.' }),
    scopes: z.array(z.string()).meta({ description: 'What the session may do: the scopes of the credential it was opened with.' }),
    csrf_token: z.string().meta({ description: 'Send it as `X-CSRF-Token` with every state-changing request made with the session cookie.' }),
    expires_at: z.iso.datetime(),
  });

export const session = sessionFields.meta({ id: 'Session' });

// Inline rather than a $ref: OpenAPI 3.0 cannot mark a referenced schema nullable.
export const sessionState = z.object({ session: sessionFields.nullable().meta({ description: 'The session the cookie names, or null.' }) });

export type SessionDto = z.infer<typeof session>;
