import type { Middleware } from 'koa';
import type { AppRouter, OperatorState } from '../http/auth.js';
import { parse } from '../http/validate.js';
import type { Deps } from '../runtime.js';
import { backupParams, listQuery, requestHeaders, siteParams } from './backups.schema.js';
import * as backups from './backups.service.js';

/** Operator backup API: list a site's backups, download one, request one now. */
export function backupRoutes(router: AppRouter, deps: Deps, auth: Middleware<OperatorState>): void {
  router.get('/site/:siteId/backup', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    const { limit } = parse(listQuery, ctx.query, 'query');
    ctx.body = await backups.listBackups(deps, ctx.state.org, siteId, limit);
  });

  router.post('/site/:siteId/backup', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    const h = parse(requestHeaders, ctx.headers, 'header');
    const accepted = await backups.requestBackup(deps, ctx.state.org, siteId, h['x-idempotency-key']);
    ctx.status = 202;
    ctx.body = accepted;
  });

  router.get('/site/:siteId/backup/:filename', auth, async (ctx) => {
    const { siteId, filename } = parse(backupParams, ctx.params);
    const { backup, content } = await backups.getBackup(deps, ctx.state.org, siteId, filename);
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('ETag', `"${backup.sha256}"`);
    ctx.set('Content-Disposition', `inline; filename="${backup.filename}"`);
    ctx.body = content;
  });
}
