import { defineRoute, text } from '../http/route.js';
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
