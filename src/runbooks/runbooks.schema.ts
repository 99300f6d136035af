import { z } from 'zod';
import { text } from '../http/text.js';
import { uuid } from '../http/validate.js';

export const createRunbookBody = z.strictObject({
  name: text().trim().min(1).max(100),
});

export const runbookParams = z.object({ runbookId: uuid.meta({ description: 'The UUID of the runbook.' }) });

/** The token in a router's bootstrap and adoption URLs; checked by the service (404 when unknown, 410 when revoked). */
export const runbookTokenParams = z.object({ runbookToken: z.string().meta({ description: "The runbook's token." }) });

export const runbook = z
  .object({
    id: uuid,
    name: z.string().meta({ example: 'Branch routers' }),
    token: z
      .string()
      .regex(/^[0-9A-Za-z]{22}$/)
      .meta({ description: 'The credential inside the bootstrap command: 22 base62 characters (128 bits) of an HMAC of the runbook id under the server key. tikops stores only its SHA-256.', example: '4KuKNp3QzpfwLcg3BUnn1a' }),
    bootstrap_command: z.string().meta({
      description: 'The one line to paste into a RouterOS v6 (6.43+) or v7 terminal. See docs/onboarding.md.',
      example: '/tool fetch url="https://tikops.example.net/bootstrap/4KuKNp3QzpfwLcg3BUnn1a" dst-path="tikops-bootstrap.rsc"; /import file-name="tikops-bootstrap.rsc"',
    }),
    created_at: z.iso.datetime().meta({ description: 'When the runbook was created.', example: '2025-10-29T12:00:00Z' }),
    revoked_at: z.iso.datetime().nullable().meta({ description: 'When the runbook was revoked; it adopts no router after that.', example: null }),
  })
  .meta({ id: 'Runbook', description: 'An onboarding profile: its bootstrap command adopts a router into the organisation.' });

export type RunbookDto = z.infer<typeof runbook>;

/** 22 base62 characters; anything else cannot be a runbook token (404 without a lookup). */
export const RUNBOOK_TOKEN_RE = /^[0-9A-Za-z]{22}$/;
