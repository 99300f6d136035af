import type { Middleware } from 'koa';
import { bearer, type OperatorState, type AppRouter } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { parse } from '../http/validate.js';
import type { Deps } from '../runtime.js';
import { createSiteBody, siteParams } from './sites.schema.js';
import * as sites from './sites.service.js';
import { deleteSite, notifyDeleted } from './deletion.service.js';

/**
 * Operator site API: create (returns the device token), list, get, rotate the device token, delete;
 * and the router's confirmation that it removed its agent (device token).
 */
export function siteRoutes(router: AppRouter, deps: Deps, auth: Middleware<OperatorState>): void {

  router.post('/site', auth, async (ctx) => {
    const body = parse(createSiteBody, await readJson(ctx, deps.config.bodyLimitBytes));
    ctx.status = 201;
    ctx.body = await sites.createSite(deps, ctx.state.org, body);
  });

  router.get('/site', auth, async (ctx) => {
    ctx.body = await sites.listSites(deps, ctx.state.org);
  });

  router.get('/site/:siteId', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    ctx.body = await sites.getSite(deps, ctx.state.org, siteId);
  });

  router.post('/site/:siteId/token', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    ctx.body = await sites.rotateToken(deps, ctx.state.org, siteId);
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
