import { bytesBody, defineRoute, text } from '../http/route.js';
import { commitQuery, jobIdParams, PART_LIMIT_BYTES, partQuery } from './backups.schema.js';
import { commitBackup, uploadPart } from './upload.service.js';

const ERRORS = ['job_not_found', 'backup_refused'] as const;

/** The router's signed backup upload: POST /job/{jobId}/backup (a part) and …/backup/commit (docs/backups.md). */
export const backupUploadRoutes = [
  defineRoute({
    method: 'POST',
    path: '/job/{jobId}/backup',
    operationId: 'uploadBackupPart',
    tags: ['Device'],
    summary: 'Upload one part of a pre-job backup',
    description:
      'The raw body (any Content-Type) is bytes `[part × 32000, …)` of the export. Only the claimed delivery (attempt) of a job with a backup step may upload; a repeated part replaces the earlier one.',
    auth: { signed: (deps, { params, query }) => deps.signer.verifyBackup(params.jobId, query.attempt, query.signature) },
    params: jobIdParams,
    query: partQuery,
    body: bytesBody(PART_LIMIT_BYTES, 'Bytes of the export, any Content-Type.'),
    responses: { 200: text('`ok`.', { example: 'ok' }) },
    errors: [...ERRORS, 'backup_too_large'],
    handler: ({ deps, input: { params, query, body } }) => uploadPart(deps, params.jobId, query.attempt, query.part, body),
  }),

  defineRoute({
    method: 'POST',
    path: '/job/{jobId}/backup/commit',
    operationId: 'commitBackup',
    tags: ['Device'],
    summary: 'Commit a pre-job backup',
    description:
      "Stores the backup if parts 0…parts-1 arrived and add up to `length` bytes, and sets the job's `associated_backup`; the wrapper runs the payload only on the body `stored`. Otherwise the job fails (409 backup_incomplete).",
    auth: { signed: (deps, { params, query }) => deps.signer.verifyBackup(params.jobId, query.attempt, query.signature) },
    params: jobIdParams,
    query: commitQuery,
    responses: { 200: text('`stored`.', { example: 'stored' }) },
    errors: [...ERRORS, 'backup_incomplete', 'backup_too_large'],
    handler: ({ deps, input: { params, query: q } }) => commitBackup(deps, params.jobId, q.attempt, { parts: q.parts, length: q.length }),
  }),
];
