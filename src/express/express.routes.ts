import type { Middleware } from 'koa';
import type { AppRouter, OperatorState } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { parse } from '../http/validate.js';
import type { Deps } from '../runtime.js';
import { managementBody, siteParams } from './express.schema.js';
import * as management from './management.service.js';

/** Operator API for a site's management endpoint (what express execute calls): set, get, remove. */
export function expressRoutes(router: AppRouter, deps: Deps, auth: Middleware<OperatorState>): void {
  router.put('/site/:siteId/management', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    const body = parse(managementBody, await readJson(ctx, deps.config.bodyLimitBytes));
    ctx.body = await management.putManagement(deps, ctx.state.org, siteId, body);
  });

  router.get('/site/:siteId/management', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    ctx.body = await management.getManagement(deps, ctx.state.org, siteId);
  });

  router.delete('/site/:siteId/management', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    await management.deleteManagement(deps, ctx.state.org, siteId);
    ctx.status = 204;
  });
}
