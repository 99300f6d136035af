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
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createPollHandler } from './poll/poll.routes.js';
import { runbookRoutes } from './runbooks/runbooks.routes.js';
import type { Deps } from './runtime.js';
import { siteRoutes } from './sites/sites.routes.js';
import { uiRoutes } from './ui/ui.routes.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The request handler of an API process (no listen; tests use it too): POST /poll goes straight to
 * its handler, everything else through the Koa app.
 */
export function buildHandler(deps: Deps): Handler {
  const poll = createPollHandler(deps);
  const koa = buildApp(deps).callback();
  return (req, res) => {
    const url = req.url ?? '';
    if (url === '/poll' || url.startsWith('/poll?')) poll(req, res);
    else void koa(req, res);
  };
}

/** The Koa app: error handler first, then one router holding every capability's routes. */
export function buildApp(deps: Deps): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const auth = requireOperator(createJwtVerifier(deps.config.jwt));
  const router = new Router<OperatorState>();
  // Device-facing routes carry no operator middleware. (POST /poll is served before Koa: buildHandler.)
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
  adoptionRoutes(router, deps);
  fleetRoutes(router, deps, auth);

  metricsRoutes(router, deps);
  // The operator dashboard: static files built from ui/, which calls the JSON API above.
  uiRoutes(router, deps);

  app.use(httpMetrics(deps));
  app.use(errorMiddleware({ docsUrl: deps.config.docsUrl, log: deps.log }));
  app.use(router.routes());
  // Not thrown (throw: true would drop the Allow header): the router leaves a bodiless 405/501,
  // and the error middleware renders it, like an unmatched 404, in the API error shape.
  app.use(router.allowedMethods());
  return app;
}
