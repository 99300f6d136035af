import { z } from 'zod';
import { defineRoute, text } from '../http/route.js';
import { uuid } from '../http/validate.js';
import { reportBackupFailed } from './backup-step.service.js';
import { applyCallback } from './delivery.service.js';
import { callbackQuery } from './jobs.schema.js';

/** GET /job/{jobId}/update — the router's signed busy/done/fail callbacks. */
export const callbackRoutes = [
  defineRoute({
    method: 'GET',
    path: '/job/{jobId}/update',
    operationId: 'jobCallback',
    tags: ['Device'],
    summary: "The router's signed job callback",
    auth: { signed: (deps, { params, query }) => deps.signer.verify(params.jobId, query.status, query.attempt, query.signature) },
    params: z.object({ jobId: uuid.meta({ description: 'The UUID of the job.' }) }),
    query: callbackQuery,
    responses: { 200: text('`claimed` for the busy call that started this delivery, `already_claimed` for a repeated busy (the wrapper then does not run the payload again), `ok` for done/fail.', { example: 'claimed' }) },
    errors: ['job_not_found', 'claim_refused'],
    // The reason is not signed: it only labels a fail the signature already allows.
    handler: ({ deps, input: { params, query: q } }) =>
      q.status === 'fail' && q.reason === 'backup'
        ? reportBackupFailed(deps, params.jobId, q.attempt)
        : applyCallback(deps, params.jobId, q.status, q.attempt),
  }),
];
