import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { AppError } from '../errors.js';
import type { AppRouter } from '../http/auth.js';
import { parse } from '../http/validate.js';
import type { Deps } from '../runtime.js';
import { commitQuery, jobIdParams, PART_LIMIT_BYTES, partQuery } from './backups.schema.js';
import { commitBackup, uploadPart } from './upload.service.js';

/** The raw request body: parts are byte slices of the export, not necessarily valid UTF-8. */
function readBytes(ctx: Context, limit: number): Promise<Buffer> {
  const length = ctx.get('content-length');
  return getRawBody(ctx.req, { limit, length: length === '' ? undefined : length });
}

/** The router's signed backup upload: POST /job/{jobId}/backup (a part) and …/backup/commit. */
export function backupUploadRoutes(router: AppRouter, deps: Deps): void {
  router.post('/job/:jobId/backup', async (ctx) => {
    const { jobId } = parse(jobIdParams, ctx.params);
    const q = parse(partQuery, ctx.query, 'query');
    if (!deps.signer.verifyBackup(jobId, q.attempt, q.signature)) throw new AppError('signature_invalid');
    const content = await readBytes(ctx, PART_LIMIT_BYTES);
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = await uploadPart(deps, jobId, q.attempt, q.part, content);
  });

  router.post('/job/:jobId/backup/commit', async (ctx) => {
    const { jobId } = parse(jobIdParams, ctx.params);
    const q = parse(commitQuery, ctx.query, 'query');
    if (!deps.signer.verifyBackup(jobId, q.attempt, q.signature)) throw new AppError('signature_invalid');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = await commitBackup(deps, jobId, q.attempt, { parts: q.parts, length: q.length });
  });
}
