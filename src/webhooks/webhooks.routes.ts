import type { Middleware } from 'koa';
import { z } from 'zod';
import type { AppRouter, OperatorState } from '../http/auth.js';
import { parse, uuid } from '../http/validate.js';
import type { Deps } from '../runtime.js';
import * as webhooks from './webhooks.service.js';

const jobParams = z.object({ siteId: uuid, jobId: uuid });

/** Operator view of a job's notify_url deliveries and their attempts. */
export function webhookRoutes(router: AppRouter, deps: Deps, auth: Middleware<OperatorState>): void {
  router.get('/site/:siteId/job/:jobId/deliveries', auth, async (ctx) => {
    const { siteId, jobId } = parse(jobParams, ctx.params);
    ctx.body = await webhooks.listDeliveries(deps, ctx.state.org, siteId, jobId);
  });
}
