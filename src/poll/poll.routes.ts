import { AppError } from '../errors.js';
import { bearer, type AppRouter } from '../http/auth.js';
import { readText } from '../http/body.js';
import type { Deps } from '../runtime.js';
import { nextScript, pollFacts, readHeartbeat } from './poll.service.js';

const HEARTBEAT_LIMIT = 16 * 1024;

/** POST /poll — the hot path: verify the device token in memory, one Redis script, respond. */
export function pollRoutes(router: AppRouter, deps: Deps): void {
  router.post('/poll', async (ctx) => {
    const device = deps.deviceTokens.verify(bearer(ctx));
    if (!device) throw new AppError('device_token_invalid');
    const heartbeat = readHeartbeat(await readText(ctx, HEARTBEAT_LIMIT));
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = await nextScript(deps, device, pollFacts(heartbeat, ctx.ip));
  });
}
