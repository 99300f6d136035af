import type { Middleware } from 'koa';
import { defineRoute, text } from '../http/route.js';
import type { Deps } from '../runtime.js';
import { exposition } from './metrics.service.js';

/** GET /metrics — Prometheus exposition, optionally behind METRICS_TOKEN. */
export const metricsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/metrics',
    operationId: 'metrics',
    tags: ['Meta'],
    summary: 'Prometheus metrics of this API process',
    description:
      'Polls, job transitions, HTTP latency, queue depth and lag. Requires `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.',
    auth: 'metrics',
    responses: { 200: text('Prometheus text exposition format.') },
    async handler({ deps, header }) {
      const m = await exposition(deps, true);
      header('Content-Type', m.contentType);
      return m.body;
    },
  }),
];

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
