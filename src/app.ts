import Koa from 'koa';
import Router from '@koa/router';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMiddleware } from './http/error-middleware.js';
import { registerRoutes } from './http/register.js';
import { requestContext } from './http/request-context.js';
import type { AnyRoute } from './http/route.js';
import { createPollHandler, pollRoute } from './poll/poll.routes.js';
import { apiRoutes } from './routes.js';
import type { Deps } from './runtime.js';
import { serveDashboard } from './ui/static.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Routes buildHandler serves before Koa, for speed; their specs document them and carry their limits. */
export const servedBeforeKoa: readonly AnyRoute[] = [pollRoute];

/**
 * The request handler of an API process (no listen; tests use it too): POST /poll goes straight to
 * its handler (servedBeforeKoa), everything else through the Koa app.
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

/** The router holding every route that has a handler (src/routes.ts); POST /poll is served by buildHandler. */
export function buildRouter(deps: Deps): Router {
  const router = new Router();
  registerRoutes(router, apiRoutes(deps.config.publicUrl).routes, deps);
  return router;
}

/**
 * The Koa app: the request context (id, access log, latency) outermost, then the error handler,
 * then one router holding every capability's routes.
 */
export function buildApp(deps: Deps): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const router = buildRouter(deps);
  app.use(requestContext(deps));
  app.use(errorMiddleware({ docsUrl: deps.config.docsUrl, log: deps.log }));
  // The operator dashboard's files (ui/ built into dist/ui), in front of the API it calls.
  app.use(serveDashboard(deps));
  app.use(router.routes());
  // Not thrown (throw: true would drop the Allow header): the router leaves a bodiless 405/501,
  // and the error middleware renders it, like an unmatched 404, in the API error shape.
  app.use(router.allowedMethods());
  // Errors after the response started (a streamed body's pipe, src/events): a client that went
  // away mid-stream is how every event stream ends, not a fault; anything else is logged.
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') deps.log.error({ err }, 'response stream failed');
  });
  return app;
}
