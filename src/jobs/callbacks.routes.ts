import { z } from 'zod';
import { bytesBody, defineRoute, text } from '../http/route.js';
import { uuid } from '../http/validate.js';
import { reportBackupFailed } from './backup-step.service.js';
import { applyCallback, outcomeReport } from './delivery.service.js';
import { callbackQuery, outcomeQuery } from './jobs.schema.js';

/** The router's signed callbacks: GET busy/done/fail, and POST done/fail with the captured output. */
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
    responses: { 200: text('`claimed` for the busy call that started this delivery, `already_claimed` for a repeated busy (the wrapper then does not run the payload again), `ok` for done/fail/confirmed.', { example: 'claimed' }) },
    errors: ['job_not_found', 'claim_refused'],
    // The reason is not signed: it only labels a fail the signature already allows.
    handler: ({ deps, input: { params, query: q } }) =>
      q.status === 'fail' && q.reason === 'backup'
        ? reportBackupFailed(deps, params.jobId, q.attempt)
        : applyCallback(deps, params.jobId, q.status, q.attempt, null, q.status === 'fail' && q.reason === 'rollback' ? 'rollback not armed' : null),
  }),

  defineRoute({
    method: 'POST',
    path: '/job/{jobId}/update',
    operationId: 'jobOutcomeWithOutput',
    tags: ['Device'],
    summary: "The router's signed outcome, with what the payload printed",
    description:
      'Sent instead of GET done/fail by wrappers with output capture (RouterOS 7.15+). The body (any Content-Type) is `errlen` bytes of error text, then the output, cut by the router; `outlen` is how many bytes the payload printed. tikops keeps JOB_OUTPUT_MAX_BYTES of it as text.',
    auth: { signed: (deps, { params, query }) => deps.signer.verify(params.jobId, query.status, query.attempt, query.signature) },
    params: z.object({ jobId: uuid.meta({ description: 'The UUID of the job.' }) }),
    query: outcomeQuery,
    body: bytesBody(65_536, 'Error text, then output: untrusted bytes, stored as text and never interpreted.'),
    responses: { 200: text('`ok`.', { example: 'ok' }) },
    errors: ['job_not_found'],
    handler: ({ deps, input: { params, query: q, body } }) =>
      applyCallback(deps, params.jobId, q.status, q.attempt, outcomeReport(deps, { body, outlen: q.outlen, errlen: q.errlen })),
  }),
];
