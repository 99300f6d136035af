import { z } from 'zod';
import { uuid } from '../http/validate.js';

export const createRunbookBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
});

export const runbookParams = z.object({ runbookId: uuid });

/** 22 base62 characters; anything else cannot be a runbook token (404 without a lookup). */
export const RUNBOOK_TOKEN_RE = /^[0-9A-Za-z]{22}$/;
