import type { AppRouter } from '../http/auth.js';
import { readText } from '../http/body.js';
import type { Deps } from '../runtime.js';
import { adopt } from './adoption.service.js';

const FACTS_LIMIT = 16 * 1024;

/** Router adoption: POST /adopt/{runbookToken} with the router's facts answers the agent's installer. */
export function adoptionRoutes(router: AppRouter, deps: Deps): void {
  router.post('/adopt/:runbookToken', async (ctx) => {
    const script = await adopt(deps, ctx.params.runbookToken ?? '', await readText(ctx, FACTS_LIMIT));
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = script;
  });
}
