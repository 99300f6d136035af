import type { Middleware } from 'koa';
import { AppError } from '../errors.js';
import type { AppRouter } from '../http/auth.js';
import { safeEqual } from '../lib/crypto.js';
import type { Deps } from '../runtime.js';
import { exposition } from './metrics.service.js';

/** GET /metrics — Prometheus exposition, optionally behind METRICS_TOKEN. */
export function metricsRoutes(router: AppRouter, deps: Deps): void {
  router.get('/metrics', async (ctx) => {
    const token = deps.config.metricsToken;
    if (token && !safeEqual(ctx.get('authorization'), `Bearer ${token}`)) throw new AppError('authentication_required');
    const m = await exposition(deps, true);
    ctx.type = m.contentType;
    ctx.body = m.body;
  });
}

/** Records every request's latency by route template (outermost, so errors are timed too). */
export function httpMetrics(deps: Deps): Middleware {
  const histogram = deps.metrics.httpDuration;
  return async (ctx, next) => {
    const end = histogram.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      end({ method: ctx.method, route: String(route), status: String(ctx.status) });
    }
  };
}
