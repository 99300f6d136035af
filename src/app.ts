import Koa from 'koa';
import Router from '@koa/router';
import { adoptionRoutes } from './adoption/adoption.routes.js';
import { backupRoutes } from './backups/backups.routes.js';
import { backupUploadRoutes } from './backups/upload.routes.js';
import { createJwtVerifier, requireOperator, type OperatorState } from './http/auth.js';
import { expressRoutes } from './express/express.routes.js';
import { fleetRoutes } from './fleet/fleet.routes.js';
import { errorMiddleware } from './http/error-middleware.js';
import { openapiRoutes } from './http/openapi.routes.js';
import { callbackRoutes } from './jobs/callbacks.routes.js';
import { jobRoutes } from './jobs/jobs.routes.js';
import { httpMetrics, metricsRoutes } from './metrics/metrics.routes.js';
import { pollRoutes } from './poll/poll.routes.js';
import { runbookRoutes } from './runbooks/runbooks.routes.js';
import type { Deps } from './runtime.js';
import { siteRoutes } from './sites/sites.routes.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';

/** The Koa app: error handler first, then one router holding every capability's routes. No listen. */
export function buildApp(deps: Deps): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const auth = requireOperator(createJwtVerifier(deps.config.jwt));
  const router = new Router<OperatorState>();
  // Device-facing routes carry no operator middleware: the poll hot path passes through nothing else.
  pollRoutes(router, deps);
  callbackRoutes(router, deps);
  backupUploadRoutes(router, deps);
  openapiRoutes(router, deps);
  siteRoutes(router, deps, auth);
  jobRoutes(router, deps, auth);
  expressRoutes(router, deps, auth);
  webhookRoutes(router, deps, auth);
  backupRoutes(router, deps, auth);
  // Fleet onboarding and health: runbooks (+ the unauthenticated bootstrap script), adoption,
  // site deletion and its router confirmation, faults/stats/metrics.
  runbookRoutes(router, deps, auth);
  adoptionRoutes(router, deps, auth);
  fleetRoutes(router, deps, auth);

  metricsRoutes(router, deps);

  app.use(httpMetrics(deps));
  app.use(errorMiddleware({ docsUrl: deps.config.docsUrl, log: deps.log }));
  app.use(router.routes());
  // Not thrown (throw: true would drop the Allow header): the router leaves a bodiless 405/501,
  // and the error middleware renders it, like an unmatched 404, in the API error shape.
  app.use(router.allowedMethods());
  return app;
}
