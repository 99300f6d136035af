import type { Middleware } from 'koa';
import { bearer, type AppRouter, type OperatorState } from '../http/auth.js';
import { readText } from '../http/body.js';
import { parse } from '../http/validate.js';
import type { Deps } from '../runtime.js';
import { siteParams } from '../sites/sites.schema.js';
import { adopt } from './adoption.service.js';
import { deleteSite, notifyDeleted } from './removal.service.js';

const FACTS_LIMIT = 16 * 1024;

/** Router adoption (runbook token), site deletion (operator) and its confirmation (device token). */
export function adoptionRoutes(router: AppRouter, deps: Deps, auth: Middleware<OperatorState>): void {
  router.post('/adopt/:runbookToken', async (ctx) => {
    const script = await adopt(deps, ctx.params.runbookToken ?? '', await readText(ctx, FACTS_LIMIT));
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = script;
  });

  router.delete('/site/:siteId', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    ctx.status = 202;
    ctx.body = await deleteSite(deps, ctx.state.org, siteId);
  });

  router.post('/notify/delete', async (ctx) => {
    await notifyDeleted(deps, bearer(ctx));
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'ok';
  });
}
