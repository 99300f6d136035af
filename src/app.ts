import Koa from 'koa';
import Router from '@koa/router';
import { createJwtVerifier, requireOperator, type OperatorState } from './http/auth.js';
import { errorMiddleware } from './http/error-middleware.js';
import { openapiRoutes } from './http/openapi.routes.js';
import { callbackRoutes } from './jobs/callbacks.routes.js';
import { jobRoutes } from './jobs/jobs.routes.js';
import { pollRoutes } from './poll/poll.routes.js';
import type { Deps } from './runtime.js';
import { siteRoutes } from './sites/sites.routes.js';

/** The Koa app: error handler first, then one router holding every capability's routes. No listen. */
export function buildApp(deps: Deps): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const auth = requireOperator(createJwtVerifier(deps.config.jwt));
  const router = new Router<OperatorState>();
  // Device-facing routes carry no operator middleware: the poll hot path passes through nothing else.
  pollRoutes(router, deps);
  callbackRoutes(router, deps);
  openapiRoutes(router, deps);
  siteRoutes(router, deps, auth);
  jobRoutes(router, deps, auth);

  app.use(errorMiddleware({ docsUrl: deps.config.docsUrl, log: deps.log }));
  app.use(router.routes());
  // Not thrown (throw: true would drop the Allow header): the router leaves a bodiless 405/501,
  // and the error middleware renders it, like an unmatched 404, in the API error shape.
  app.use(router.allowedMethods());
  return app;
}
