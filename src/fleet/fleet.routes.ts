import type { Middleware } from 'koa';
import type { AppRouter, OperatorState } from '../http/auth.js';
import { parse } from '../http/validate.js';
import type { Deps } from '../runtime.js';
import { siteParams } from '../sites/sites.schema.js';
import { faultsQuery, statsQuery } from './fleet.schema.js';
import * as health from './health.service.js';

/** Operator health API of one site: faults, resource stats, 24-hour availability. */
export function fleetRoutes(router: AppRouter, deps: Deps, auth: Middleware<OperatorState>): void {
  router.get('/site/:siteId/faults', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    const q = parse(faultsQuery, ctx.query, 'query');
    ctx.body = await health.listFaults(deps, ctx.state.org, siteId, { limit: q.limit, status: q.status ?? null });
  });

  router.get('/site/:siteId/stats', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    const q = parse(statsQuery, ctx.query, 'query');
    ctx.body = await health.siteStats(deps, ctx.state.org, siteId, { from: q.from, to: q.to });
  });

  router.get('/site/:siteId/metrics', auth, async (ctx) => {
    const { siteId } = parse(siteParams, ctx.params);
    ctx.body = await health.siteAvailability(deps, ctx.state.org, siteId);
  });
}
