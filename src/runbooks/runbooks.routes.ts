import type { Middleware } from 'koa';
import type { AppRouter, OperatorState } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { parse } from '../http/validate.js';
import type { Deps } from '../runtime.js';
import { createRunbookBody, runbookParams } from './runbooks.schema.js';
import * as runbooks from './runbooks.service.js';

/** Operator runbook API (create, list, get, revoke, per organisation) and the router's bootstrap script. */
export function runbookRoutes(router: AppRouter, deps: Deps, auth: Middleware<OperatorState>): void {
  router.post('/runbook', auth, async (ctx) => {
    const body = parse(createRunbookBody, await readJson(ctx, deps.config.bodyLimitBytes));
    ctx.status = 201;
    ctx.body = await runbooks.createRunbook(deps, ctx.state.org, body);
  });

  router.get('/runbook', auth, async (ctx) => {
    ctx.body = await runbooks.listRunbooks(deps, ctx.state.org);
  });

  router.get('/runbook/:runbookId', auth, async (ctx) => {
    const { runbookId } = parse(runbookParams, ctx.params);
    ctx.body = await runbooks.getRunbook(deps, ctx.state.org, runbookId);
  });

  router.delete('/runbook/:runbookId', auth, async (ctx) => {
    const { runbookId } = parse(runbookParams, ctx.params);
    ctx.body = await runbooks.revokeRunbook(deps, ctx.state.org, runbookId);
  });

  // Unauthenticated: the runbook token in the path is the credential (a router has no JWT).
  router.get('/bootstrap/:runbookToken', async (ctx) => {
    const script = await runbooks.bootstrapScript(deps, ctx.params.runbookToken ?? '');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = script;
  });
}
