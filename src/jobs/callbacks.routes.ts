import { AppError } from '../errors.js';
import { parse, uuid } from '../http/validate.js';
import type { AppRouter } from '../http/auth.js';
import type { Deps } from '../runtime.js';
import { z } from 'zod';
import { reportBackupFailed } from './backup-step.service.js';
import { applyCallback } from './delivery.service.js';
import { callbackQuery } from './jobs.schema.js';

/** GET /job/{jobId}/update — the router's signed busy/done/fail callbacks. */
export function callbackRoutes(router: AppRouter, deps: Deps): void {
  router.get('/job/:jobId/update', async (ctx) => {
    const { jobId } = parse(z.object({ jobId: uuid }), ctx.params);
    const q = parse(callbackQuery, ctx.query, 'query');
    if (!deps.signer.verify(jobId, q.status, q.attempt, q.signature)) throw new AppError('signature_invalid');
    ctx.type = 'text/plain; charset=utf-8';
    // The reason is not signed: it only labels a fail the signature already allows.
    ctx.body =
      q.status === 'fail' && q.reason === 'backup'
        ? await reportBackupFailed(deps, jobId, q.attempt)
        : await applyCallback(deps, jobId, q.status, q.attempt);
  });
}
